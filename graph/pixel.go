package graph

import "regexp"

// tagRE is the form of a pixel tag.
var tagRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$`)

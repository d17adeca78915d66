package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"runtime/debug"
)

// envName is the environment variable a flag's usage names at its end:
// "... [DATABASE_URL]".
var envName = regexp.MustCompile(`\[([A-Z][A-Z0-9_]*)\]$`)

// parseFlags parses args, then gives every flag not set on the command line
// the value of its environment variable, parsed by the flag itself: a bad
// value (REDIRECT_STATUS=abc, TRUST_PROXY=yes) is an error naming the
// variable, never a silent default. Flags beat the environment.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		m := envName.FindStringSubmatch(f.Usage)
		if err != nil || m == nil || explicit[f.Name] {
			return
		}
		v, ok := os.LookupEnv(m[1])
		if !ok {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = fmt.Errorf("invalid value %q for %s (--%s): %v", v, m[1], f.Name, e)
		}
	})
	return err
}

// newLogger is the server's logger in format text (logfmt-like key=value)
// or json (one object a line, for log collectors).
func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, got %q", format)
}

// buildVersion is set at link time (-ldflags "-X main.buildVersion=v1.2.3");
// without it the module version or VCS revision Go recorded is shown.
var buildVersion = ""

func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v + " " + bi.GoVersion
}

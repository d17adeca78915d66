package qr

import "math"

// A QR decoder finds a code by its three finder patterns: squares whose
// rows and columns read dark:light:dark:light:dark in the ratio 1:1:3:1:1.
// The data mask is chosen to avoid that ratio in rows and in columns
// separately, but nothing stops the data from holding one that passes in
// both directions at once. ZXing's detector (Android's usual scanner)
// accepts such a false pattern and then fails to find the code: go-qrcode
// produced exactly that for an ordinary vCard, and for about 2% of a corpus
// of random URL-like payloads. encode therefore counts candidate false
// finders and, when there are any, tries the next versions (and higher
// error-correction levels), which lay the data out differently.
//
// The count is deliberately cruder than ZXing's detector (which also
// checks the diagonal and works on pixels, not modules): it flags about
// two thirds of first matrices, of which only a few would really fail.
// Erring that way costs encoding time (tens of milliseconds on a cache
// miss) and never a worse code; with it, the corpus decodes without a
// failure (TestRenderCorpusDecodes).

// maxVersionBumps bounds the versions tried past the smallest that fits.
const maxVersionBumps = 8

// falseFinders counts the dark modules outside the three real finder
// patterns (and their separators) that sit in a 1:1:3:1:1 run both across
// and down, judged with ZXing's tolerance.
func (m *matrix) falseFinders() int {
	count := 0
	n := len(m.bits)
	const border = 4
	inFinder := func(x, y int) bool {
		near := func(v, lo int) bool { return v >= lo-1 && v <= lo+7 }
		lo, hi := border, n-border-7
		return (near(x, lo) && near(y, lo)) || (near(x, hi) && near(y, lo)) || (near(x, lo) && near(y, hi))
	}
	for y := range n {
		for x := range n {
			if m.dark(x, y) && !inFinder(x, y) && m.finderAt(x, y) {
				count++
			}
		}
	}
	return count
}

// finderAt reports whether (x, y) looks like a finder pattern's centre to
// ZXing: 1:1:3:1:1 across and down, each run set about 7 modules long
// like the real patterns', so a detector would pick it alongside them.
func (m *matrix) finderAt(x, y int) bool {
	h, v := m.runs(x, y, 1, 0), m.runs(x, y, 0, 1)
	return crossRatio(h, 2) && crossRatio(v, 2) &&
		sum(h) >= 6 && sum(h) <= 8 && sum(v) >= 6 && sum(v) <= 8
}

func sum(s [5]int) int { return s[0] + s[1] + s[2] + s[3] + s[4] }

// runs returns the five run lengths through (x, y) along (dx, dy): the
// dark run holding it in the middle, then the light and dark runs beside
// it on either side. A run cut by the edge counts what is inside.
func (m *matrix) runs(x, y, dx, dy int) [5]int {
	n := len(m.bits)
	at := func(i int) (bool, bool) { // dark, inside
		px, py := x+i*dx, y+i*dy
		if px < 0 || py < 0 || px >= n || py >= n {
			return false, false
		}
		return m.dark(px, py), true
	}
	var s [5]int
	s[2] = 1
	i := 1
	// Right (or down) of the centre.
	for ; ; i++ {
		d, ok := at(i)
		if !ok || !d {
			break
		}
		s[2]++
	}
	i = walk(at, i, 1, false, &s[3])
	walk(at, i, 1, true, &s[4])
	// Left (or up).
	j := -1
	for ; ; j-- {
		d, ok := at(j)
		if !ok || !d {
			break
		}
		s[2]++
	}
	j = walk(at, j, -1, false, &s[1])
	walk(at, j, -1, true, &s[0])
	return s
}

// walk counts modules of colour dark from i in step direction into count and
// returns the first index past the run.
func walk(at func(int) (bool, bool), i, step int, dark bool, count *int) int {
	for ; ; i += step {
		d, ok := at(i)
		if !ok || d != dark {
			return i
		}
		*count++
	}
}

// crossRatio is ZXing's test for a 1:1:3:1:1 run: foundPatternCross with
// div 2, foundPatternDiagonal with div 1.333.
func crossRatio(s [5]int, div float64) bool {
	total := 0
	for _, c := range s {
		if c == 0 {
			return false
		}
		total += c
	}
	ms := float64(total) / 7
	v := ms / div
	return math.Abs(ms-float64(s[0])) < v && math.Abs(ms-float64(s[1])) < v &&
		math.Abs(3*ms-float64(s[2])) < 3*v && math.Abs(ms-float64(s[3])) < v &&
		math.Abs(ms-float64(s[4])) < v
}

package analytics

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// Interval is the bucket size of a time series.
type Interval string

// Intervals of a time series.
const (
	Hour Interval = "HOUR"
	Day  Interval = "DAY"
)

// The most buckets a time series has: 31 days of hours, 400 days. A series
// asked for over a longer range is refused by the API; one over an
// unbounded range holds the latest buckets.
const (
	MaxHourBuckets = 31 * 24
	MaxDayBuckets  = 400
)

// MaxBuckets is the most buckets a series by i has.
func (i Interval) MaxBuckets() int {
	if i == Hour {
		return MaxHourBuckets
	}
	return MaxDayBuckets
}

func (i Interval) duration() time.Duration {
	if i == Hour {
		return time.Hour
	}
	return 24 * time.Hour
}

// Buckets is the number of buckets a series by i has over [from, to), both
// given; 0 when to is not after from.
func (i Interval) Buckets(from, to time.Time) int64 {
	if !to.After(from) {
		return 0
	}
	first, last := truncate(from.UTC(), i), truncate(to.UTC().Add(-time.Nanosecond), i)
	return int64(last.Sub(first)/i.duration()) + 1
}

// MarshalGQL implements graphql.Marshaler.
func (i Interval) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(i))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (i *Interval) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch Interval(s) {
	case Hour, Day:
		*i = Interval(s)
		return nil
	}
	return fmt.Errorf("%q is not a valid StatsInterval", s)
}

// Dimension is what a breakdown groups clicks by.
type Dimension string

// Dimensions of a breakdown.
const (
	Country  Dimension = "COUNTRY"
	Referrer Dimension = "REFERRER"
	Browser  Dimension = "BROWSER"
	OS       Dimension = "OS"
	Device   Dimension = "DEVICE"
	Language Dimension = "LANGUAGE"
	Social   Dimension = "SOCIAL"
)

// MarshalGQL implements graphql.Marshaler.
func (d Dimension) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (d *Dimension) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch Dimension(s) {
	case Country, Referrer, Browser, OS, Device, Language, Social:
		*d = Dimension(s)
		return nil
	}
	return fmt.Errorf("%q is not a valid StatsDimension", s)
}

// Bucket is one key of a breakdown.
type Bucket struct {
	Key          string
	Clicks       int
	UniqueClicks int
}

// TimeBucket is one interval of a time series.
type TimeBucket struct {
	Start        time.Time
	Clicks       int
	UniqueClicks int
}

// Scope selects the clicks statistics are computed over: one link or one QR
// code, in [From, To). Zero times mean unbounded.
type Scope struct {
	LinkID   int
	QRCodeID int
	From, To time.Time
}

// Stats is the statistics of a scope; its totals are computed when it is made,
// the series and breakdowns when asked for.
type Stats struct {
	Scope        Scope
	Clicks       int
	UniqueClicks int
}

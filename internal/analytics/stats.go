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
	Hour  Interval = "HOUR"
	Day   Interval = "DAY"
	Month Interval = "MONTH"
)

// The most buckets a time series has: 31 days of hours, 400 days, 120
// months. A series asked for over a longer range is refused by the API; one
// over an unbounded range holds the latest buckets.
const (
	MaxHourBuckets  = 31 * 24
	MaxDayBuckets   = 400
	MaxMonthBuckets = 120
)

// MaxBuckets is the most buckets a series by i has.
func (i Interval) MaxBuckets() int {
	switch i {
	case Hour:
		return MaxHourBuckets
	case Month:
		return MaxMonthBuckets
	}
	return MaxDayBuckets
}

// Buckets is the number of buckets a series by i has over [from, to), both
// given, in UTC; 0 when to is not after from.
func (i Interval) Buckets(from, to time.Time) int64 {
	return i.BucketsIn(from, to, nil)
}

// BucketsIn is Buckets with days and months of the time zone loc (nil is
// UTC).
func (i Interval) BucketsIn(from, to time.Time, loc *time.Location) int64 {
	if !to.After(from) {
		return 0
	}
	if loc == nil {
		loc = time.UTC
	}
	first, last := truncate(from.In(loc), i), truncate(to.In(loc).Add(-time.Nanosecond), i)
	switch i {
	case Hour:
		return int64(last.Sub(first)/time.Hour) + 1
	case Month:
		return int64((last.Year()-first.Year())*12+int(last.Month())-int(first.Month())) + 1
	}
	// Calendar days: count them on UTC dates, which skips DST's 23- and
	// 25-hour days.
	a := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC)
	return int64(b.Sub(a)/(24*time.Hour)) + 1
}

// MarshalGQL implements graphql.Marshaler.
func (i Interval) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(i))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (i *Interval) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch Interval(s) {
	case Hour, Day, Month:
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

// Scope selects the clicks statistics are computed over, in [From, To)
// (zero times mean unbounded): one link, one QR code, every link and QR code
// of an owner (OwnerID), the links of a campaign (CampaignID) or the links
// and QR codes that are items of a channel (ChannelID). The first non-zero
// id in that order is the scope. The caller must have checked that the
// campaign or channel is the viewer's; the queries run with the viewer's
// context, so they only ever read the viewer's rollups.
//
// Location is the time zone whose calendar days and months a DAY or MONTH
// series follows (nil: UTC). Rollups are whole UTC hours: with a zone whose
// offset is not whole hours (such as +05:30) a local day starts inside an
// hour, and each hour counts in the bucket where it starts.
type Scope struct {
	LinkID     int
	QRCodeID   int
	OwnerID    int
	CampaignID int
	ChannelID  int
	From, To   time.Time
	Location   *time.Location
}

// Stats is the statistics of a scope; its totals are computed when it is made,
// the series and breakdowns when asked for.
type Stats struct {
	Scope        Scope
	Clicks       int
	UniqueClicks int
}

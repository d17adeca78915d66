package rest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"shortener/internal/analytics"
)

// statsBody is the legacy "data" of url/:id and qr/:id. The top* fields are
// objects of key -> count as a string ({"Canada":"3"}), or the number 0 when
// there is nothing to show: the legacy API printed 0 rather than {}.
type statsBody struct {
	Clicks       int            `json:"clicks"`
	UniqueClicks int            `json:"uniqueClicks"`
	TopCountries any            `json:"topCountries"`
	TopReferrers any            `json:"topReferrers"`
	TopBrowsers  any            `json:"topBrowsers"`
	TopOs        any            `json:"topOs"`
	SocialCount  map[string]int `json:"socialCount"`
}

// socialNetworks are always present in socialCount, with 0 when unseen.
var socialNetworks = []string{"facebook", "twitter", "instagram", "google", "linkedin"}

// topLimit is how many keys each top* object shows; socialLimit how many
// social networks socialCount sums.
const (
	topLimit    = 10
	socialLimit = 100
)

// stats computes the legacy statistics of a scope. Without a statistics
// source (until analytics is wired) it shows the counters kept on the row
// (clicks, uniqueClicks) and empty breakdowns.
func (h *Handler) stats(ctx context.Context, s analytics.Scope, clicks, unique int) (statsBody, error) {
	out := statsBody{
		Clicks: clicks, UniqueClicks: unique,
		TopCountries: 0, TopReferrers: 0, TopBrowsers: 0, TopOs: 0,
		SocialCount: map[string]int{},
	}
	for _, n := range socialNetworks {
		out.SocialCount[n] = 0
	}
	src := h.Resolver.Stats
	if src == nil {
		return out, nil
	}
	// One pass over the scope's rollups: the totals and every breakdown.
	sum, err := src.Summary(ctx, s, socialLimit)
	if err != nil {
		return out, err
	}
	out.Clicks, out.UniqueClicks = sum.Clicks, sum.UniqueClicks
	for _, d := range []struct {
		dim analytics.Dimension
		dst *any
	}{
		{analytics.Country, &out.TopCountries},
		{analytics.Referrer, &out.TopReferrers},
		{analytics.Browser, &out.TopBrowsers},
		{analytics.OS, &out.TopOs},
	} {
		b := sum.Breakdowns[d.dim]
		*d.dst = topObject(b[:min(len(b), topLimit)])
	}
	for _, b := range sum.Breakdowns[analytics.Social] {
		if k := strings.ToLower(b.Key); k != "" {
			out.SocialCount[k] += b.Clicks
		}
	}
	return out, nil
}

// topObject folds a breakdown into the legacy object, or 0 when empty.
func topObject(buckets []*analytics.Bucket) any {
	if len(buckets) == 0 {
		return 0
	}
	var o countObject
	at := make(map[string]int, len(buckets))
	for _, b := range buckets {
		if i, ok := at[b.Key]; ok {
			o[i].count += b.Clicks // keys are unique; never write one twice
			continue
		}
		at[b.Key] = len(o)
		o = append(o, keyCount{b.Key, b.Clicks})
	}
	return o
}

// countObject is a top* object, {"Canada":"3","France":"1"}, its keys most
// clicks first as the original listed them (a Go map would sort them by
// name).
type countObject []keyCount

type keyCount struct {
	key   string
	count int
}

// MarshalJSON implements json.Marshaler.
func (o countObject) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, kc := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(kc.key)
		if err != nil {
			return nil, err
		}
		b = append(b, k...)
		b = append(b, ':', '"')
		b = strconv.AppendInt(b, int64(kc.count), 10)
		b = append(b, '"')
	}
	return append(b, '}'), nil
}

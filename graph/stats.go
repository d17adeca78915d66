package graph

import (
	"context"
	"slices"
	"time"

	"shortener/ent"
	"shortener/ent/link"
	"shortener/graph/model"
	"shortener/internal/analytics"
	"shortener/internal/apperr"
)

// stats is the click statistics of a scope, whose DAY and MONTH series
// follow the calendar of timeZone (an IANA name; nil or empty is UTC).
func (r *Resolver) stats(ctx context.Context, s analytics.Scope, timeZone *string) (*analytics.Stats, error) {
	loc, err := statsLocation(timeZone)
	if err != nil {
		return nil, err
	}
	s.Location = loc
	return r.Stats.Totals(ctx, s)
}

// statsLocation resolves a stats field's timeZone argument: nil for UTC.
func statsLocation(timeZone *string) (*time.Location, error) {
	if timeZone == nil || *timeZone == "" || *timeZone == "UTC" {
		return nil, nil
	}
	// "Local" would be the server's zone, which callers cannot know.
	loc, err := time.LoadLocation(*timeZone)
	if err != nil || *timeZone == "Local" {
		return nil, apperr.InvalidField("timeZone", "timeZone %q is not an IANA time zone name (such as Europe/Paris)", *timeZone)
	}
	if loc == time.UTC {
		return nil, nil
	}
	return loc, nil
}

// topLinks is the limit links of a scope with the most clicks, loaded in one
// query (with the viewer's context, so only the viewer's links).
func (r *Resolver) topLinks(ctx context.Context, s analytics.Scope, limit int) ([]*model.LinkClicks, error) {
	top, err := r.Stats.TopLinks(ctx, s, limit)
	if err != nil || len(top) == 0 {
		return []*model.LinkClicks{}, err
	}
	ids := make([]int, len(top))
	for i, t := range top {
		ids[i] = t.ID
	}
	links, err := r.Client.Link.Query().Where(link.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*model.LinkClicks, 0, len(top))
	for _, t := range top {
		if i := slices.IndexFunc(links, func(l *ent.Link) bool { return l.ID == t.ID }); i >= 0 {
			out = append(out, &model.LinkClicks{Link: links[i], Clicks: t.Clicks, UniqueClicks: t.UniqueClicks})
		}
	}
	return out, nil
}

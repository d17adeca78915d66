package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"shortener/internal/analytics"
	"shortener/internal/apperr"
)

// MaxStatsBuckets bounds the time-series buckets and breakdown rows one
// operation may ask for, counted over every stats field times the page sizes
// of the connections around it. A timeSeries over given from/to counts its
// buckets, one over an open range its cap (analytics.MaxHourBuckets,
// MaxDayBuckets, MaxMonthBuckets), counted in the field's timeZone; a
// breakdown counts its limit and its "Other" bucket, a topLinks its limit.
// This holds for every stats field (Link, QRCode, Campaign, Channel, User),
// all of type ClickStats.
const MaxStatsBuckets = 10_000

// statsLimit charges stats fields what they produce, before anything runs,
// and refuses a timeSeries whose from/to span more buckets than its cap.
type statsLimit struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = statsLimit{}

func (statsLimit) ExtensionName() string                   { return "StatsLimit" }
func (statsLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (statsLimit) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	w := statsWalker{rc: rc}
	if err := w.walk(rc.Operation.SelectionSet, 1); err != nil {
		return err
	}
	if w.total > MaxStatsBuckets {
		return statsError(nil, "", "the operation asks for more than %d statistics buckets (time-series buckets and breakdown rows, times the pages around them)", MaxStatsBuckets)
	}
	return nil
}

type statsWalker struct {
	rc     *graphql.OperationContext
	total  int64
	visits int
}

// walk visits set, where each object stands for mult objects of the answer.
func (w *statsWalker) walk(set ast.SelectionSet, mult int64) *gqlerror.Error {
	for _, sel := range set {
		if w.visits++; w.visits > 100_000 || w.total > MaxStatsBuckets {
			w.total = MaxStatsBuckets + 1
			return nil
		}
		switch s := sel.(type) {
		case *ast.Field:
			if s.Definition != nil && s.Definition.Type != nil && s.Definition.Type.Name() == "ClickStats" {
				if err := w.stats(s, mult); err != nil {
					return err
				}
				continue
			}
			if err := w.walk(s.SelectionSet, mult*w.fanout(s)); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := w.walk(s.SelectionSet, mult); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if def := w.rc.Doc.Fragments.ForName(s.Name); def != nil {
				if err := w.walk(def.SelectionSet, mult); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// fanout is how many objects a field gives per parent: a connection's page,
// nodes' ids, otherwise one.
func (w *statsWalker) fanout(f *ast.Field) int64 {
	args := f.ArgumentMap(w.rc.Variables)
	if f.Definition != nil && f.Definition.Type != nil && len(f.Definition.Type.Name()) > 10 &&
		f.Definition.Type.Name()[len(f.Definition.Type.Name())-10:] == "Connection" {
		for _, name := range []string{"first", "last"} {
			if n, ok := intArg(args[name]); ok {
				return max(n, 1)
			}
		}
		return DefaultPageSize
	}
	if ids, ok := args["ids"].([]any); ok && f.Name == "nodes" {
		return max(int64(len(ids)), 1)
	}
	return 1
}

// stats charges one stats field and its timeSeries and breakdown children.
func (w *statsWalker) stats(f *ast.Field, mult int64) *gqlerror.Error {
	args := f.ArgumentMap(w.rc.Variables)
	from, hasFrom := timeArg(args["from"])
	to, hasTo := timeArg(args["to"])
	var loc *time.Location
	if tz, ok := args["timeZone"].(string); ok {
		loc, _ = statsLocation(&tz) // a bad name fails in the resolver
	}
	w.total += mult
	var visit func(set ast.SelectionSet) *gqlerror.Error
	visit = func(set ast.SelectionSet) *gqlerror.Error {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				a := s.ArgumentMap(w.rc.Variables)
				switch s.Name {
				case "timeSeries":
					iv := analytics.Day
					if v, _ := a["interval"].(string); v == string(analytics.Hour) || v == string(analytics.Month) {
						iv = analytics.Interval(v)
					}
					n := int64(iv.MaxBuckets())
					if hasFrom && hasTo {
						n = iv.BucketsIn(from, to, loc)
						if err := checkSeries(s, iv, n); err != nil {
							return err
						}
					}
					w.total += mult * n
				case "breakdown":
					n, ok := intArg(a["limit"])
					if !ok {
						n = 10
					}
					w.total += mult * (min(max(n, 1), 100) + 1) // and "Other"
				case "topLinks":
					n, ok := intArg(a["limit"])
					if !ok {
						n = 10
					}
					w.total += mult * min(max(n, 1), 100)
				}
			case *ast.InlineFragment:
				if err := visit(s.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				if def := w.rc.Doc.Fragments.ForName(s.Name); def != nil {
					if err := visit(def.SelectionSet); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	return visit(f.SelectionSet)
}

// checkSeries refuses a series of more buckets than its interval allows.
func checkSeries(f *ast.Field, iv analytics.Interval, n int64) *gqlerror.Error {
	if n <= int64(iv.MaxBuckets()) {
		return nil
	}
	return statsError(f, "to", "a %s time series covers at most %d buckets (%s); narrow from and to", iv, iv.MaxBuckets(), seriesSpan(iv))
}

func seriesSpan(iv analytics.Interval) string {
	switch iv {
	case analytics.Hour:
		return "31 days"
	case analytics.Month:
		return "120 months"
	}
	return "400 days"
}

// seriesTooLong is checkSeries for the resolver, which runs for REST too.
func seriesTooLong(s analytics.Scope, iv analytics.Interval) error {
	if s.From.IsZero() || s.To.IsZero() || iv.BucketsIn(s.From, s.To, s.Location) <= int64(iv.MaxBuckets()) {
		return nil
	}
	return apperr.InvalidField("to", "a %s time series covers at most %d buckets (%s); narrow from and to", iv, iv.MaxBuckets(), seriesSpan(iv))
}

func timeArg(v any) (time.Time, bool) {
	switch t := v.(type) {
	case string:
		p, err := time.Parse(time.RFC3339Nano, t)
		return p, err == nil
	case time.Time:
		return t, true
	}
	return time.Time{}, false
}

func statsError(f *ast.Field, field, format string, args ...any) *gqlerror.Error {
	var e *gqlerror.Error
	if f != nil {
		e = gqlerror.ErrorPosf(f.Position, format, args...)
	} else {
		e = gqlerror.Errorf(format, args...)
	}
	e.Extensions = map[string]any{"code": string(apperr.Invalid)}
	if field != "" {
		e.Extensions["field"] = field
	}
	return e
}

package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"shortener/graph"
)

// Legacy list paging: ?limit= (default 15) and ?page= (from 1). A limit
// above maxLimit is clamped to it, as the original server took large limits;
// the answer's perpage says what was used.
//
// A page costs one request of the rate limit budget whatever its size; its
// work is bounded by maxLimit and the list builders' fixed number of queries
// (TestListQueriesDoNotGrowWithPageSize). GraphQL connections keep their own
// bound (graph.MaxPageSize) and complexity limit: REST lists call the list
// builders directly and never run a GraphQL operation.
const (
	defaultLimit = 15
	maxLimit     = 1000
)

// pageParams are a list request's limit and page.
type pageParams struct{ limit, page int }

// parsePage reads limit and page; a value that is not a positive integer is
// a 400, never a silent default; a limit past maxLimit is maxLimit.
func parsePage(r *http.Request) (pageParams, error) {
	q := r.URL.Query()
	return pageOf(q.Get("limit"), q.Get("page"))
}

// pageOf reads limit and page given as strings ("" for absent).
func pageOf(limit, page string) (pageParams, error) {
	p := pageParams{limit: defaultLimit, page: 1}
	if limit != "" {
		n, ok := positive(limit)
		if !ok {
			return p, badRequest(fmt.Sprintf("limit must be an integer from 1 (at most %d are listed)", maxLimit))
		}
		p.limit = min(n, maxLimit)
	}
	if page != "" {
		n, ok := positive(page)
		if !ok || n > 1_000_000 {
			return p, badRequest("page must be an integer from 1")
		}
		p.page = n
	}
	return p, nil
}

// positive reads a positive decimal integer; one too large for an int is
// math.MaxInt (a limit that large is clamped like any other).
func positive(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	var ne *strconv.NumError
	if errors.As(err, &ne) && ne.Err == strconv.ErrRange && s[0] != '-' {
		return math.MaxInt, true
	}
	return n, err == nil && n >= 1
}

func (p pageParams) graph() graph.Page {
	return graph.Page{Limit: p.limit, Offset: (p.page - 1) * p.limit}
}

// listBody is the legacy list answer. Its "error" is the string "0": the
// legacy API printed it that way on lists, and clients compare it as such.
type listBody struct {
	Error string   `json:"error"`
	Data  listData `json:"data"`
}

// listData is the paging block and the items under a per-route key
// ("urls", "qrs", ...; none when Key is empty), written in the documented
// key order.
type listData struct {
	Result, PerPage, CurrentPage, NextPage, MaxPage int
	Key                                             string
	Items                                           any
}

// MarshalJSON implements json.Marshaler.
func (d listData) MarshalJSON() ([]byte, error) {
	items, err := json.Marshal(d.Items)
	if err != nil {
		return nil, err
	}
	if d.Key == "" { // no items key at all (generation C's url/get without links)
		return fmt.Appendf(nil, `{"result":%d,"perpage":%d,"currentpage":%d,"nextpage":%d,"maxpage":%d}`,
			d.Result, d.PerPage, d.CurrentPage, d.NextPage, d.MaxPage), nil
	}
	key, _ := json.Marshal(d.Key)
	return fmt.Appendf(nil, `{"result":%d,"perpage":%d,"currentpage":%d,"nextpage":%d,"maxpage":%d,%s:%s}`,
		d.Result, d.PerPage, d.CurrentPage, d.NextPage, d.MaxPage, key, items), nil
}

// listAnswer builds the list answer: result (all matching items), perpage,
// currentpage, nextpage (currentpage + 1, or currentpage on the last page),
// maxpage (at least 1, so an empty list is page 1 of 1), and the items under
// key.
func listAnswer[T any](key string, items []T, total int, p pageParams) listBody {
	if items == nil {
		items = []T{}
	}
	maxPage := max(1, (total+p.limit-1)/p.limit)
	next := p.page
	if p.page < maxPage {
		next = p.page + 1
	}
	return listBody{Error: "0", Data: listData{
		Result: total, PerPage: p.limit, CurrentPage: p.page, NextPage: next, MaxPage: maxPage,
		Key: key, Items: items,
	}}
}

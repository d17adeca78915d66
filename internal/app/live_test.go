package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"shortener/internal/analytics"
	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// Live clicks through real HTTP: subscriptions over websockets
// (graphql-transport-ws and graphql-ws) and server-sent events receive the
// clicks of real redirects, and only their own.

const clickFields = `linkId qrCodeId createdAt country referrer browser os device language bot firstVisit dropped`

type liveClick struct {
	LinkID, QRCodeID                                 *string
	CreatedAt                                        time.Time
	Country, Referrer, Browser, OS, Device, Language string
	Bot                                              bool
	FirstVisit                                       *bool
	Dropped                                          int
}

// liveUser is an account with one link and one QR code.
type liveUser struct {
	key, linkID, alias, qrID, qrAlias string
}

func newLiveUser(t *testing.T, s *apptest.Server, name string) liveUser {
	t.Helper()
	u := liveUser{key: s.Signup(t, name)}
	var out struct {
		CreateLink   struct{ ID, Alias string }
		CreateQRCode struct{ ID, Alias string }
	}
	s.MustGraphQL(t, u.key, `mutation { createLink(input:{url:"https://example.com/`+name+`"}) { id alias }
		createQRCode(input:{type:LINK, data:"https://example.com/qr-`+name+`"}) { id alias } }`, nil, &out)
	u.linkID, u.alias, u.qrID, u.qrAlias = out.CreateLink.ID, out.CreateLink.Alias, out.CreateQRCode.ID, out.CreateQRCode.Alias
	return u
}

// click makes a real redirect of path and returns when it was answered.
func click(t *testing.T, s *apptest.Server, path string) time.Time {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0")
	req.Header.Set("Referer", "https://news.example.org/story")
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	resp, err := apptest.NoRedirectClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return time.Now()
}

// wsClient speaks graphql-transport-ws or graphql-ws.
type wsClient struct {
	t     *testing.T
	c     *websocket.Conn
	proto string
}

const (
	transportWS = "graphql-transport-ws"
	legacyWS    = "graphql-ws"
)

// dialWS connects and sends connection_init with payload; it returns the
// client once acknowledged, or the close error.
func dialWS(t *testing.T, s *apptest.Server, proto string, header http.Header, payload map[string]any) (*wsClient, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{proto}, HTTPHeader: header})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	w := &wsClient{t: t, c: c, proto: proto}
	w.send(map[string]any{"type": "connection_init", "payload": payload})
	for {
		m, err := w.next(5 * time.Second)
		if err != nil {
			return nil, err
		}
		switch m.Type {
		case "connection_ack":
			return w, nil
		case "connection_error":
			// graphql-ws tells the reason, then the server closes
		default:
			t.Fatalf("before ack: %+v", m)
		}
	}
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (w *wsClient) send(v any) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := wsjson.Write(ctx, w.c, v); err != nil {
		w.t.Fatalf("ws write: %v", err)
	}
}

// next reads the next message that is not a keep-alive (answering pings).
func (w *wsClient) next(timeout time.Duration) (wsMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, w.c, &m); err != nil {
			return m, err
		}
		switch m.Type {
		case "ka", "pong":
			continue
		case "ping":
			w.send(map[string]any{"type": "pong"})
			continue
		}
		return m, nil
	}
}

func (w *wsClient) subscribe(id, query string, vars map[string]any) {
	typ := "subscribe"
	if w.proto == legacyWS {
		typ = "start"
	}
	w.send(map[string]any{"id": id, "type": typ, "payload": map[string]any{"query": query, "variables": vars}})
}

// result is one answer to a subscription: a click, errors, or the end.
type result struct {
	id     string
	click  *liveClick
	errors []apptest.GQLError
	done   bool
}

func (w *wsClient) result(timeout time.Duration) result {
	w.t.Helper()
	m, err := w.next(timeout)
	if err != nil {
		w.t.Fatalf("ws read: %v", err)
	}
	r := result{id: m.ID}
	switch m.Type {
	case "next", "data":
		var p struct {
			Data   struct{ ClickRecorded *liveClick }
			Errors []apptest.GQLError
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			w.t.Fatalf("payload %s: %v", m.Payload, err)
		}
		r.click, r.errors = p.Data.ClickRecorded, p.Errors
	case "error":
		if err := json.Unmarshal(m.Payload, &r.errors); err != nil { // graphql-ws sends one error object
			var one apptest.GQLError
			if err := json.Unmarshal(m.Payload, &one); err != nil {
				w.t.Fatalf("error payload %s: %v", m.Payload, err)
			}
			r.errors = []apptest.GQLError{one}
		}
	case "complete":
		r.done = true
	default:
		w.t.Fatalf("unexpected message %+v", m)
	}
	return r
}

// clickOf reads the next answer of id, which must be a click.
func (w *wsClient) clickOf(id string) *liveClick {
	w.t.Helper()
	r := w.result(5 * time.Second)
	if r.id != id || r.click == nil || len(r.errors) > 0 {
		w.t.Fatalf("want a click for %s, got %+v (errors %+v)", id, r, r.errors)
	}
	return r.click
}

// quiet checks that nothing arrives for a while.
func (w *wsClient) quiet(d time.Duration) {
	w.t.Helper()
	m, err := w.next(d)
	if err == nil {
		w.t.Fatalf("unexpected message %+v %s", m, m.Payload)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		w.t.Fatalf("read: %v", err)
	}
}

func bearer(key string) map[string]any { return map[string]any{"Authorization": "Bearer " + key} }

func checkClick(t *testing.T, c *liveClick, linkID, qrID string) {
	t.Helper()
	if ptrOr(c.LinkID) != linkID || ptrOr(c.QRCodeID) != qrID {
		t.Errorf("click of link %q qr %q, want link %q qr %q", ptrOr(c.LinkID), ptrOr(c.QRCodeID), linkID, qrID)
	}
	if c.Referrer != "news.example.org" || c.Browser != "Firefox" || c.OS != "Linux" || c.Language != "fr" ||
		c.Bot || c.Dropped != 0 || time.Since(c.CreatedAt) > time.Minute {
		t.Errorf("click %+v", c)
	}
}

func ptrOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestLiveClicksOverWebsocket(t *testing.T) {
	s := apptest.New(t, app.Config{})
	me, other := newLiveUser(t, s, "live"), newLiveUser(t, s, "other")

	ws, err := dialWS(t, s, transportWS, nil, bearer(me.key))
	if err != nil {
		t.Fatal(err)
	}
	ws.subscribe("all", `subscription { clickRecorded { `+clickFields+` } }`, nil)
	ws.subscribe("one", `subscription($id: ID) { clickRecorded(linkId: $id) { `+clickFields+` } }`, map[string]any{"id": me.linkID})
	theirs, err := dialWS(t, s, transportWS, nil, bearer(other.key))
	if err != nil {
		t.Fatal(err)
	}
	theirs.subscribe("t", `subscription { clickRecorded { linkId } }`, nil)
	waitOpen(t, s, 3)

	click(t, s, "/"+other.alias) // first: were it delivered to me, it would come first
	at := click(t, s, "/"+me.alias)
	click(t, s, "/qr/"+me.qrAlias+"/scan")

	got := map[string][]*liveClick{}
	for range 3 {
		r := ws.result(5 * time.Second)
		if r.click == nil {
			t.Fatalf("want a click, got %+v", r)
		}
		if len(got["all"]) == 0 && r.id == "all" {
			t.Logf("first click arrived %v after its redirect", time.Since(at).Round(time.Millisecond))
		}
		got[r.id] = append(got[r.id], r.click)
	}
	if len(got["all"]) != 2 || len(got["one"]) != 1 {
		t.Fatalf("got %d account-wide and %d link clicks, want 2 and 1", len(got["all"]), len(got["one"]))
	}
	checkClick(t, got["all"][0], me.linkID, "")
	checkClick(t, got["all"][1], "", me.qrID)
	checkClick(t, got["one"][0], me.linkID, "")
	// The writer knows first visits: the visitor's first click on the link
	// is first, a second one is not (it arrives on both subscriptions).
	if f := got["all"][0].FirstVisit; f == nil || !*f {
		t.Errorf("first click's firstVisit = %v, want true", f)
	}
	click(t, s, "/"+me.alias)
	for range 2 {
		if c := ws.result(5 * time.Second).click; c == nil || c.FirstVisit == nil || *c.FirstVisit {
			t.Errorf("second click %+v: want firstVisit false", c)
		}
	}
	ws.quiet(1500 * time.Millisecond) // the other user's click never arrives

	if c := theirs.clickOf("t"); ptrOr(c.LinkID) != other.linkID {
		t.Fatalf("other user got %+v", c)
	}
	theirs.quiet(100 * time.Millisecond)
}

func TestLiveClicksOverLegacyGraphQLWS(t *testing.T) {
	s := apptest.New(t, app.Config{})
	me := newLiveUser(t, s, "legacy")
	ws, err := dialWS(t, s, legacyWS, nil, map[string]any{"authorization": "Bearer " + me.key})
	if err != nil {
		t.Fatal(err)
	}
	ws.subscribe("1", `subscription { clickRecorded { `+clickFields+` } }`, nil)
	waitOpen(t, s, 1)
	click(t, s, "/"+me.alias)
	checkClick(t, ws.clickOf("1"), me.linkID, "")
}

// A key in the upgrade request's header authenticates too (non-browser
// clients); a bad or missing key closes the connection with 4403.
func TestLiveWebsocketAuthentication(t *testing.T) {
	s := apptest.New(t, app.Config{})
	me := newLiveUser(t, s, "wsauth")

	ws, err := dialWS(t, s, transportWS, http.Header{"Authorization": {"Bearer " + me.key}}, nil)
	if err != nil {
		t.Fatalf("key in the upgrade header: %v", err)
	}
	ws.subscribe("1", `subscription { clickRecorded { linkId } }`, nil)
	waitOpen(t, s, 1)
	click(t, s, "/"+me.alias)
	if c := ws.clickOf("1"); ptrOr(c.LinkID) != me.linkID {
		t.Fatalf("got %+v", c)
	}

	for name, payload := range map[string]map[string]any{
		"bad key":     bearer("sk_not_a_key"),
		"no key":      nil,
		"wrong shape": {"Authorization": "Basic dXNlcjpwYXNz"},
	} {
		_, err := dialWS(t, s, transportWS, nil, payload)
		if got := websocket.CloseStatus(err); got != 4403 {
			t.Errorf("%s: close %v (%v), want 4403", name, got, err)
		}
	}
}

func TestLiveRefusals(t *testing.T) {
	s := apptest.New(t, app.Config{})
	me, other := newLiveUser(t, s, "refuse"), newLiveUser(t, s, "owner")
	ws, err := dialWS(t, s, transportWS, nil, bearer(me.key))
	if err != nil {
		t.Fatal(err)
	}
	sub := `subscription($id: ID) { clickRecorded(linkId: $id) { linkId } }`
	for _, tc := range []struct{ id, code string }{
		{other.linkID, "NOT_FOUND"}, // another user's link: as if it did not exist
		{me.qrID, "BAD_USER_INPUT"}, // not a link id
	} {
		ws.subscribe(tc.id, sub, map[string]any{"id": tc.id})
		r := ws.result(5 * time.Second)
		if len(r.errors) == 0 || r.errors[0].Code() != tc.code {
			t.Errorf("linkId %s: %+v %+v, want %s", tc.id, r, r.errors, tc.code)
		}
		for !r.done { // an error may be followed by complete
			if r = ws.result(time.Second); r.click != nil {
				t.Fatalf("click after refusal: %+v", r.click)
			}
		}
	}

	// Queries do not run over a websocket (no rate limit there); a
	// subscription does not run over plain POST.
	ws.subscribe("q", `{ me { id } }`, nil)
	if r := ws.result(5 * time.Second); len(r.errors) == 0 || r.errors[0].Code() != "BAD_USER_INPUT" {
		t.Errorf("query over websocket: %+v", r)
	} else if !strings.Contains(r.errors[0].Message, "only subscriptions") {
		t.Errorf("query over websocket: %q", r.errors[0].Message)
	}
	if r := ws.result(5 * time.Second); !r.done || r.id != "q" {
		t.Errorf("after the refused query: %+v", r)
	}
	res := s.GraphQL(t, me.key, `subscription { clickRecorded { linkId } }`, nil)
	if len(res.Errors) == 0 || res.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Errorf("subscription over POST: %d %+v", res.Status, res.Errors)
	}

	// At most 10 subscriptions an account at once.
	for i := range 10 {
		ws.subscribe(fmt.Sprint("s", i), `subscription { clickRecorded { linkId } }`, nil)
	}
	waitOpen(t, s, 10)
	ws.subscribe("over", `subscription { clickRecorded { linkId } }`, nil)
	if r := ws.result(5 * time.Second); r.id != "over" || len(r.errors) == 0 || r.errors[0].Code() != "RATE_LIMITED" {
		t.Errorf("11th subscription: %+v %+v", r, r.errors)
	}
	// Another account is not limited by mine.
	if _, _, err := sse(t, s, other.key, `subscription { clickRecorded { linkId } }`, nil); err != nil {
		t.Fatalf("other account: %v", err)
	}
}

// waitOpen waits until the hub holds n subscriptions (a subscribe message
// is answered only by clicks, so the test asks the hub).
func waitOpen(t *testing.T, s *apptest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.App.Live.Open() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions open, want %d", s.App.Live.Open(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sseStream is an open text/event-stream answer.
type sseStream struct {
	events chan sseEvent
	cancel context.CancelFunc
}

type sseEvent struct{ event, data string }

// sse posts an operation with Accept: text/event-stream and returns the
// stream; its first event is read by the caller. The stream is closed at
// the end of the test.
func sse(t *testing.T, s *apptest.Server, key, query string, vars map[string]any) (*sseStream, *http.Response, error) {
	t.Helper()
	return sseTo(t, s.URL, key, query, vars)
}

func sseTo(t *testing.T, base, key, query string, vars map[string]any) (*sseStream, *http.Response, error) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	st := &sseStream{events: make(chan sseEvent, 1024), cancel: cancel}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		close(st.events)
		return st, resp, fmt.Errorf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	go func() {
		defer close(st.events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.event != "" || ev.data != "" {
					st.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event:"):
				ev.event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				ev.data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			} // ":" comments are keep-alives
		}
	}()
	return st, resp, nil
}

// next returns the next event; ok is false when the stream ended.
func (st *sseStream) next(t *testing.T, timeout time.Duration) (ev sseEvent, ok bool) {
	t.Helper()
	select {
	case ev, ok = <-st.events:
		return ev, ok
	case <-time.After(timeout):
		t.Fatalf("no server-sent event within %v", timeout)
		return ev, false
	}
}

func (st *sseStream) click(t *testing.T) *liveClick {
	t.Helper()
	ev, ok := st.next(t, 5*time.Second)
	if !ok || ev.event != "next" {
		t.Fatalf("want a next event, got %+v (open %v)", ev, ok)
	}
	var p struct {
		Data   struct{ ClickRecorded *liveClick }
		Errors []apptest.GQLError
	}
	if err := json.Unmarshal([]byte(ev.data), &p); err != nil || p.Data.ClickRecorded == nil {
		t.Fatalf("event %q: %v %+v", ev.data, err, p.Errors)
	}
	return p.Data.ClickRecorded
}

func (st *sseStream) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case ev := <-st.events:
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(d):
	}
}

func TestLiveClicksOverServerSentEvents(t *testing.T) {
	s := apptest.New(t, app.Config{})
	me, other := newLiveUser(t, s, "sse"), newLiveUser(t, s, "notme")
	st, resp, err := sse(t, s, me.key, `subscription { clickRecorded { `+clickFields+` } }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" && cc != "no-cache" {
		t.Errorf("Cache-Control %q", cc)
	}
	waitOpen(t, s, 1)
	click(t, s, "/"+other.alias)
	at := click(t, s, "/"+me.alias)
	checkClick(t, st.click(t), me.linkID, "")
	t.Logf("click arrived %v after its redirect", time.Since(at).Round(time.Millisecond))
	st.quiet(t, 1500*time.Millisecond) // never the other user's

	// Another user's link: NOT_FOUND, and the stream completes.
	st2, _, err := sse(t, s, me.key, `subscription($id: ID) { clickRecorded(linkId: $id) { linkId } }`,
		map[string]any{"id": other.linkID})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := st2.next(t, 5*time.Second)
	if !strings.Contains(ev.data, `"NOT_FOUND"`) {
		t.Errorf("another user's link: %+v", ev)
	}

	// No key: UNAUTHENTICATED; a bad key: 401 before the stream starts.
	st3, _, err := sse(t, s, "", `subscription { clickRecorded { linkId } }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ev, _ := st3.next(t, 5*time.Second); !strings.Contains(ev.data, `"UNAUTHENTICATED"`) {
		t.Errorf("no key: %+v", ev)
	}
	if _, resp, err := sse(t, s, "sk_bad", `subscription { clickRecorded { linkId } }`, nil); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad key: %v", err)
	}
}

// A stream ends after LiveLifetime; an event stream outlives the server's
// read and write timeouts.
func TestLiveStreamLifetimeAndServerTimeouts(t *testing.T) {
	cfg := app.Config{LiveLifetime: 2500 * time.Millisecond, LiveKeepAlive: 200 * time.Millisecond}
	s := apptest.New(t, cfg)
	me := newLiveUser(t, s, "life")

	// The same app behind a server with short timeouts, as serve runs it.
	ts := httptest.NewUnstartedServer(s.App.Handler())
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = 500*time.Millisecond, 500*time.Millisecond
	ts.Start()
	t.Cleanup(ts.Close)

	start := time.Now()
	st, _, err := sseTo(t, ts.URL, me.key, `subscription { clickRecorded { linkId } }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitOpen(t, s, 1)
	time.Sleep(time.Second) // past both timeouts
	click(t, s, "/"+me.alias)
	if c := st.click(t); ptrOr(c.LinkID) != me.linkID {
		t.Fatalf("got %+v", c)
	}
	for {
		ev, ok := st.next(t, 5*time.Second)
		if !ok || ev.event == "complete" {
			break
		}
	}
	if took := time.Since(start); took < 2*time.Second || took > 5*time.Second {
		t.Errorf("stream ended after %v, want about 2.5 s", took)
	}

	ws, err := dialWS(t, s, transportWS, nil, bearer(me.key))
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	ws.subscribe("1", `subscription { clickRecorded { linkId } }`, nil)
	for {
		if _, err := ws.next(5 * time.Second); err != nil {
			break // the server closed the connection
		}
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("websocket closed after %v, want about 2.5 s", took)
	}
}

// A subscriber that does not read loses clicks; the writer stores every
// one at full speed meanwhile, and the subscriber is told how many it lost.
func TestLiveSlowSubscriberDoesNotHoldTheWriter(t *testing.T) {
	s := apptest.New(t, app.Config{})
	me := newLiveUser(t, s, "slow")
	var out struct{ Link struct{ RowID int } }
	s.MustGraphQL(t, me.key, `query($id: ID!) { link(id: $id) { rowId } }`, map[string]any{"id": me.linkID}, &out)
	var owner struct{ Me struct{ RowID int } }
	s.MustGraphQL(t, me.key, `{ me { rowId } }`, nil, &owner)

	ws, err := dialWS(t, s, transportWS, nil, bearer(me.key))
	if err != nil {
		t.Fatal(err)
	}
	ws.subscribe("1", `subscription { clickRecorded { linkId dropped } }`, nil)
	waitOpen(t, s, 1)

	// Not reading: 20,000 clicks (straight into the queue, as redirects
	// put them) are far more than the hub's buffer and the socket's.
	const n = 20_000
	before := s.App.Writer.Written()
	start := time.Now()
	for range n {
		s.App.Clicks.Record(analytics.Hit{OwnerID: owner.Me.RowID, LinkID: out.Link.RowID, Time: time.Now(), IP: "198.51.100.7"})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.App.Writer.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d clicks stored in %v with a stuck subscriber", n, time.Since(start).Round(time.Millisecond))
	if got := s.App.Writer.Written() - before; got != n {
		t.Fatalf("stored %d, want %d", got, n)
	}
	dropped := s.App.Live.Dropped()
	if dropped == 0 {
		t.Fatal("nothing dropped")
	}
	// Read every click that was delivered: Dropped never goes down. Then
	// the buffer is empty, and the next click says how many were lost.
	delivered := s.App.Live.Delivered()
	prev := 0
	for range delivered {
		r := ws.result(5 * time.Second)
		if r.click == nil {
			t.Fatalf("want a click, got %+v", r)
		}
		if r.click.Dropped < prev {
			t.Fatalf("dropped went from %d to %d", prev, r.click.Dropped)
		}
		prev = r.click.Dropped
	}
	t.Logf("%d clicks delivered, %d dropped", delivered, dropped)
	if delivered+dropped != n {
		t.Errorf("delivered %d + dropped %d != %d", delivered, dropped, n)
	}
	click(t, s, "/"+me.alias)
	if c := ws.clickOf("1"); uint64(c.Dropped) != dropped {
		t.Errorf("the click after the flood says %d dropped, the hub %d", c.Dropped, dropped)
	}
}

// Shutdown begins with StopStreams (serve registers it with
// RegisterOnShutdown): open streams end at once instead of holding the
// drain up, and new subscriptions are refused.
func TestLiveStreamsEndWhenShutdownBegins(t *testing.T) {
	s := apptest.New(t, app.Config{})
	me := newLiveUser(t, s, "stop")
	st, _, err := sse(t, s, me.key, `subscription { clickRecorded { linkId } }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Any origin may open a websocket for now (graph.Live.CheckOrigin is
	// nil until --cors-origins sets it).
	ws, err := dialWS(t, s, transportWS, http.Header{"Origin": {"https://elsewhere.example"}}, bearer(me.key))
	if err != nil {
		t.Fatal(err)
	}
	ws.subscribe("1", `subscription { clickRecorded { linkId } }`, nil)
	waitOpen(t, s, 2)
	s.App.StopStreams()
	for {
		ev, ok := st.next(t, 5*time.Second)
		if !ok || ev.event == "complete" {
			break
		}
		t.Fatalf("event %+v", ev)
	}
	if r := ws.result(5 * time.Second); !r.done {
		t.Fatalf("websocket: %+v", r)
	}
	ws.subscribe("2", `subscription { clickRecorded { linkId } }`, nil)
	if r := ws.result(5 * time.Second); len(r.errors) == 0 || !strings.Contains(r.errors[0].Message, "shutting down") {
		t.Fatalf("after StopStreams: %+v", r)
	}
}

// With --cors-origins listing origins, a websocket opens from a listed
// origin, from the server's own, or with no Origin; never from another.
func TestLiveWebsocketOrigins(t *testing.T) {
	s := apptest.New(t, app.Config{CORSOrigins: []string{"https://app.example.com"}})
	url := "ws" + strings.TrimPrefix(s.URL, "http") + "/graphql"
	for origin, ok := range map[string]bool{
		"https://app.example.com": true,
		s.URL:                     true,
		"":                        true,
		"https://evil.example":    false,
	} {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{transportWS}, HTTPHeader: h})
		cancel()
		if ok != (err == nil) {
			status := 0
			if resp != nil {
				status = resp.StatusCode
			}
			t.Errorf("Origin %q: dial err %v (status %d), want allowed %v", origin, err, status, ok)
		}
		if c != nil {
			_ = c.CloseNow()
		}
	}
}

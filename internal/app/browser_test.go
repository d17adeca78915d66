package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// chromium finds a Chromium or Chrome binary: $CHROMIUM, then the usual
// names on PATH (Debian's package is chromium).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (looked for $CHROMIUM, chromium, chromium-browser, google-chrome, headless-shell on PATH): " +
		"install Debian's chromium (apt-get install -y chromium; .ci/run does) to run the browser test"
	if os.Getenv("SHORTENER_REQUIRE_BROWSER") != "" {
		t.Fatal(msg) // .ci/run installed one: its absence is a failure there
	}
	t.Skip(msg)
	return ""
}

// crossOriginPage is a frontend on another origin: its script signs up,
// creates a link through /graphql and one through /api/url/add, lists the
// links through both, and reads an error and the rate-limit headers, all
// with fetch and CORS. run() resolves to what it saw.
const crossOriginPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>frontend</title></head>
<body><script>
const API = %q;
async function gql(key, query, variables) {
  const headers = {'Content-Type': 'application/json', 'Accept': 'application/graphql-response+json, application/json'};
  if (key) headers.Authorization = 'Bearer ' + key;
  const r = await fetch(API + '/graphql', {method: 'POST', headers, body: JSON.stringify({query, variables})});
  return {status: r.status, body: await r.json(), limit: r.headers.get('X-RateLimit-Limit')};
}
async function rest(key, method, path, body) {
  const init = {method, headers: {'Authorization': 'Bearer ' + key}};
  if (body) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  const r = await fetch(API + path, init);
  return {status: r.status, body: await r.json(), limit: r.headers.get('X-RateLimit-Limit'),
          remaining: r.headers.get('X-RateLimit-Remaining')};
}
window.run = async function () {
  const out = {origin: location.origin};
  try {
    const s = await gql('', 'mutation($i: SignupInput!) { signup(input: $i) { apiKey user { username } } }',
      {i: {email: 'front@example.com', username: 'front', password: 'password123'}});
    out.signup = s.body.data.signup.user.username;
    const key = s.body.data.signup.apiKey;
    const c = await gql(key, 'mutation { createLink(input:{url:"https://example.com/from-graphql", custom:"viagql"}) { alias shortUrl } }');
    out.gqlCreated = c.body.data.createLink.alias;
    const a = await rest(key, 'POST', '/api/url/add', {url: 'https://example.com/from-rest', custom: 'viarest'});
    out.restCreated = a.body.shorturl;
    const gl = await gql(key, '{ links(first: 10) { totalCount edges { node { alias longUrl } } } }');
    out.gqlList = gl.body.data.links.edges.map(e => e.node.alias).sort();
    out.gqlLimit = gl.limit;
    const rl = await rest(key, 'GET', '/api/urls?limit=10');
    out.restList = rl.body.data.urls.map(u => u.alias).sort();
    out.restLimit = rl.limit;
    out.restRemaining = rl.remaining;
    const bad = await rest('not-a-key', 'GET', '/api/account');
    out.badKeyStatus = bad.status;
  } catch (e) {
    out.error = String(e);
  }
  return out;
};
</script></body></html>`

// Issue 14: a page on another origin uses both APIs from a real browser,
// and the explorer at /playground works with the network cut off.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not with -short")
	}
	bin := chromium(t)
	limit := 1000
	s := apptest.New(t, app.Config{RateLimit: &limit})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, crossOriginPage, s.URL)
	}))
	defer front.Close()
	if front.URL == s.URL {
		t.Fatal("same origin")
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // root in CI
		chromedp.Flag("disable-dev-shm-usage", true),
		// No name resolves but 127.0.0.1, where the servers are: nothing
		// else can be reached by name.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	// Every request a page makes passes here: those to the allowed
	// servers go on, any other fails and is recorded.
	var mu sync.Mutex
	var outside []string
	allowed := []string{s.URL + "/", front.URL + "/"}
	intercept := func(ctx context.Context) {
		paused := chromedp.Events(ctx, fetch.RequestPaused)
		go func() {
			for ev, err := range paused {
				if err != nil {
					return
				}
				mu.Lock()
				ok := slices.ContainsFunc(allowed, func(a string) bool { return strings.HasPrefix(ev.Request.URL, a) })
				if !ok {
					outside = append(outside, ev.Request.URL)
				}
				mu.Unlock()
				if ok {
					_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
				} else {
					_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonInternetDisconnected})
				}
			}
		}()
	}
	// Interception on, and CSP violations collected in the page.
	setup := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, fetch.Enable, fetch.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));`})
		return err
	})

	// 1. The cross-origin frontend.
	intercept(bctx)
	start := time.Now()
	if err := chromedp.Do(bctx, setup, chromedp.Navigate(front.URL+"/")); err != nil {
		t.Fatalf("frontend page: %v", err)
	}
	raw, err := chromedp.Run(bctx, chromedp.Evaluate[[]byte](`window.run()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("frontend page: %v", err)
	}
	var res struct {
		Origin, Signup, GQLCreated, RESTCreated, Error string
		GQLList, RESTList                              []string
		GQLLimit, RESTLimit, RESTRemaining             string
		BadKeyStatus                                   int
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("frontend result %s: %v", raw, err)
	}
	t.Logf("frontend on %s (API on %s), %v: %s", front.URL, s.URL, time.Since(start).Round(time.Millisecond), raw)
	want := []string{"viagql", "viarest"}
	if res.Error != "" || res.Signup != "front" || res.GQLCreated != "viagql" || res.RESTCreated != s.URL+"/viarest" ||
		!slices.Equal(res.GQLList, want) || !slices.Equal(res.RESTList, want) ||
		res.GQLLimit != "1000" || res.RESTLimit != "1000" || res.RESTRemaining == "" || res.BadKeyStatus != http.StatusUnauthorized {
		t.Fatalf("frontend on another origin saw %s", raw)
	}

	// The interception works: a request elsewhere (from this page, which
	// has no CSP) fails and is seen. On the playground's tab, it lets the
	// page's own requests through, or the page would never load.
	const probe = "http://outside.invalid/probe"
	got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`fetch('`+probe+`', {mode: 'no-cors'}).then(() => 'reached', () => 'failed')`, chromedp.EvalAwaitPromise))
	if err != nil || got != "failed" {
		t.Fatalf("probe outside the servers: %q, %v", got, err)
	}
	mu.Lock()
	if !slices.Equal(outside, []string{probe}) {
		t.Fatalf("intercepted outside the servers: %v, want the probe alone", outside)
	}
	outside = nil
	mu.Unlock()

	// 2. The explorer, with every request outside the server failing: the
	// page loads, and a query typed into GraphiQL (with a key in its
	// headers editor) shows its answer.
	key, err := chromedp.Run(bctx, chromedp.Evaluate[string](`fetch(API + '/graphql', {method: 'POST', headers: {'Content-Type': 'application/json'},
		body: JSON.stringify({query: 'mutation { signup(input:{email:"pg@example.com", username:"pgviewer", password:"password123"}) { apiKey } }'})})
		.then(r => r.json()).then(b => b.data.signup.apiKey)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("second signup: %v", err)
	}
	mu.Lock()
	allowed = []string{s.URL + "/"} // from now on only the server
	mu.Unlock()
	tctx, cancelTab := chromedp.NewContext(bctx)
	defer cancelTab()
	intercept(tctx)
	start = time.Now()
	setEditor := func(selector, text string) chromedp.Action[chromedp.Void] {
		js, _ := json.Marshal(text)
		sel, _ := json.Marshal(selector)
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).CodeMirror.setValue(%s)`, sel, js))
	}
	err = chromedp.Do(tctx,
		setup,
		chromedp.Navigate(s.URL+"/playground"),
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-execute-button`)),
		chromedp.WaitReady(chromedp.CSS(`.graphiql-query-editor .CodeMirror`)),
		// The default query's operation name, so GraphiQL's operation
		// name, parsed from the editor a moment later, cannot lag behind.
		setEditor(`.graphiql-query-editor .CodeMirror`, `query Me { me { username } }`),
		setEditor(`.graphiql-editor-tool .graphiql-editor:last-child .CodeMirror`, `{"Authorization": "Bearer `+key+`"}`),
		chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)),
	)
	var answer string
	if err == nil {
		answer, err = chromedp.Run(tctx, chromedp.Poll[string](`(() => { const v = document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue();
			return v.includes('pgviewer') ? v : null; })()`, chromedp.WithPollingTimeout(20*time.Second)))
	}
	if err != nil {
		editors, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`[...document.querySelectorAll('.CodeMirror')].map(e => e.CodeMirror.getValue()).join(' | ')`))
		text, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 500)`))
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("playground: %v\neditors: %s\npage: %s\noutside requests: %v", err, editors, text, outside)
	}
	t.Logf("playground answered in %v: %s", time.Since(start).Round(time.Millisecond), strings.Join(strings.Fields(answer), " "))
	if strings.Contains(answer, "email") {
		t.Fatalf("the answer is not to the query typed in: %s", answer)
	}
	violations, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`window.__violations`))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(outside) > 0 {
		t.Errorf("pages asked for URLs outside the server: %v", outside)
	}
	for _, v := range violations {
		if strings.HasPrefix(v, "script-src") || strings.HasPrefix(v, "connect-src") {
			t.Errorf("CSP violation on /playground: %s", v)
		} else {
			t.Logf("CSP report on /playground: %s", v)
		}
	}
}

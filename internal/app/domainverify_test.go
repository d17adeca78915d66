package app_test

import (
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"shortener/internal/app"
	"shortener/internal/app/apptest"
)

// txtServer is an in-process DNS server answering TXT questions from a map.
type txtServer struct {
	mu      sync.Mutex
	records map[string][]string // fully qualified name -> TXT strings
	addr    string
}

func startDNS(t *testing.T) *txtServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &txtServer{records: map[string][]string{}, addr: pc.LocalAddr().String()}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		ts.mu.Lock()
		for _, qq := range q.Question {
			if qq.Qtype != dns.TypeTXT {
				continue
			}
			if txt, ok := ts.records[dns.CanonicalName(qq.Name)]; ok {
				m.Answer = append(m.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: qq.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 1}, Txt: txt})
			} else {
				m.Rcode = dns.RcodeNameError
			}
		}
		ts.mu.Unlock()
		_ = w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return ts
}

func (ts *txtServer) publish(name, value string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.records[dns.CanonicalName(name)] = []string{value}
}

type domainView struct {
	ID                 string
	Domain             string
	Verified           bool
	VerifiedAt         *time.Time
	VerificationRecord struct{ Name, Type, Value string }
}

const domainFields = `id domain verified verifiedAt verificationRecord { name type value }`

func myDomains(t *testing.T, s *apptest.Server, key string) []domainView {
	t.Helper()
	var out struct {
		Domains struct{ Edges []struct{ Node domainView } }
	}
	s.MustGraphQL(t, key, `{ domains { edges { node { `+domainFields+` } } } }`, nil, &out)
	var ds []domainView
	for _, e := range out.Domains.Edges {
		ds = append(ds, e.Node)
	}
	return ds
}

func verifyDomain(t *testing.T, s *apptest.Server, key, id string) (domainView, apptest.GQLResponse) {
	t.Helper()
	res := s.GraphQL(t, key, `mutation($id:ID!){ verifyDomain(id:$id){ `+domainFields+` } }`, map[string]any{"id": id})
	var out struct{ VerifyDomain domainView }
	if len(res.Errors) == 0 {
		if err := json.Unmarshal(res.Data, &out); err != nil {
			t.Fatal(err)
		}
	}
	return out.VerifyDomain, res
}

// Issue 11 row 3: anyone could claim any domain and it served at once. Now a
// domain serves only after its owner publishes the TXT record, and the
// first account to verify a host owns it.
func TestDomainVerification(t *testing.T) {
	ns := startDNS(t)
	s := apptest.New(t, app.Config{DomainVerification: true, DNSResolver: ns.addr})
	alice := s.Signup(t, "alice")
	mallory := s.Signup(t, "mallory")

	// Mallory claims the host first; an unverified claim does not block.
	if status, out := addDomain(t, s, mallory, "https://go.example.com"); status != http.StatusOK || out["error"] != float64(0) {
		t.Fatalf("mallory domain/add: %d %v", status, out)
	}
	if status, out := addDomain(t, s, alice, "https://go.example.com"); status != http.StatusOK || out["error"] != float64(0) {
		t.Fatalf("alice domain/add: %d %v", status, out)
	}
	if status, _ := addDomain(t, s, alice, "https://GO.example.com."); status != http.StatusUnprocessableEntity {
		t.Errorf("alice's second claim of her host: %d, want 422", status)
	}
	resp, body := s.Do(t, http.MethodPost, "/api/url/add", alice, map[string]any{"url": "https://alice.example/", "custom": "go1", "domain": "https://go.example.com"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("url/add on the domain: %d %s", resp.StatusCode, body)
	}

	// Unverified: the host is unknown (the base host's 404), not the
	// tenant's alias or redirect404.
	if resp := getHost(t, s, "go.example.com", "/go1"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unverified domain served: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	ds := myDomains(t, s, alice)
	if len(ds) != 1 || ds[0].Verified || ds[0].VerifiedAt != nil {
		t.Fatalf("alice's domains: %+v", ds)
	}
	rec := ds[0].VerificationRecord
	if rec.Name != "_shortener-verify.go.example.com" || rec.Type != "TXT" || len(rec.Value) < len("shortener-verify=")+32 {
		t.Fatalf("record: %+v", rec)
	}
	if m := myDomains(t, s, mallory); len(m) != 1 || m[0].VerificationRecord.Value == rec.Value {
		t.Fatalf("mallory's record is alice's: %+v", m)
	}

	// No record yet: verifyDomain reports unverified, no error.
	if d, res := verifyDomain(t, s, alice, ds[0].ID); len(res.Errors) > 0 || d.Verified {
		t.Fatalf("verify without a record: %+v %+v", d, res.Errors)
	}
	ns.publish(rec.Name+".", rec.Value)
	d, res := verifyDomain(t, s, alice, ds[0].ID)
	if len(res.Errors) > 0 || !d.Verified || d.VerifiedAt == nil {
		t.Fatalf("verify with the record: %+v %+v", d, res.Errors)
	}
	if resp := getHost(t, s, "go.example.com", "/go1"); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://alice.example/" {
		t.Errorf("verified domain: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Mallory cannot verify the host any more (even with her token
	// published), nor claim it again.
	mrec := myDomains(t, s, mallory)[0]
	ns.publish(rec.Name+".", mrec.VerificationRecord.Value)
	if _, res := verifyDomain(t, s, mallory, mrec.ID); len(res.Errors) != 1 || res.Errors[0].Code() != "CONFLICT" {
		t.Errorf("mallory verifies a verified host: %+v", res.Errors)
	}
	if status, _ := addDomain(t, s, mallory, "https://go.example.com"); status != http.StatusUnprocessableEntity {
		t.Errorf("claim of a verified host: %d, want 422", status)
	}
	// Another user's domain id is not found.
	if _, res := verifyDomain(t, s, mallory, ds[0].ID); len(res.Errors) != 1 || res.Errors[0].Code() != "NOT_FOUND" {
		t.Errorf("verify another user's domain: %+v", res.Errors)
	}
}

// The background loop verifies a domain once its record appears.
func TestDomainRecheck(t *testing.T) {
	ns := startDNS(t)
	s := apptest.New(t, app.Config{DomainVerification: true, DNSResolver: ns.addr, DomainRecheck: 20 * time.Millisecond})
	bob := s.Signup(t, "bob")
	if status, out := addDomain(t, s, bob, "https://b.example.org"); status != http.StatusOK {
		t.Fatalf("domain/add: %d %v", status, out)
	}
	rec := myDomains(t, s, bob)[0].VerificationRecord
	ns.publish(rec.Name+".", rec.Value)
	deadline := time.Now().Add(5 * time.Second)
	for !myDomains(t, s, bob)[0].Verified {
		if time.Now().After(deadline) {
			t.Fatal("the recheck loop did not verify the domain")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// With verification off every added domain serves at once.
func TestDomainVerificationOff(t *testing.T) {
	s := apptest.New(t, app.Config{})
	alice := s.Signup(t, "alice")
	if status, out := addDomain(t, s, alice, "https://go.example.com"); status != http.StatusOK {
		t.Fatalf("domain/add: %d %v", status, out)
	}
	if ds := myDomains(t, s, alice); len(ds) != 1 || !ds[0].Verified {
		t.Fatalf("domains: %+v", ds)
	}
}

// A domain row older than verification has no token; the recheck loop
// gives it one, so its owner sees a record to publish and can verify.
func TestDomainWithoutTokenGetsOne(t *testing.T) {
	ns := startDNS(t)
	s := apptest.New(t, app.Config{DomainVerification: true, DNSResolver: ns.addr, DomainRecheck: 20 * time.Millisecond})
	bob := s.Signup(t, "bob")
	if status, out := addDomain(t, s, bob, "https://old.example.org"); status != http.StatusOK {
		t.Fatalf("domain/add: %d %v", status, out)
	}
	if _, err := s.App.Client.ExecContext(apptest.SystemContext(), "UPDATE domains SET verification_token = NULL"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	var rec struct{ Name, Type, Value string }
	for {
		rec = myDomains(t, s, bob)[0].VerificationRecord
		if len(rec.Value) == len("shortener-verify=")+32 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no token issued: record %+v", rec)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ns.publish(rec.Name+".", rec.Value)
	if d, res := verifyDomain(t, s, bob, myDomains(t, s, bob)[0].ID); !d.Verified {
		t.Fatalf("verifyDomain with the new token: %+v %+v", d, res.Errors)
	}
}

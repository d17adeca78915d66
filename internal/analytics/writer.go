package analytics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"shortener/ent"
	"shortener/ent/click"
	"shortener/ent/hook"
	"shortener/ent/link"
	"shortener/ent/qrcode"
	"shortener/internal/auth"
)

// WriterOptions configure a Writer.
type WriterOptions struct {
	// Dialect is the SQL dialect of the client's database
	// (entgo.io/ent/dialect.SQLite or .Postgres).
	Dialect string
	// Interval is how long hits gather before they are written in one
	// transaction (default 1 s). A batch's cost is mostly the pages it
	// touches (index leaves, link rows), and more clicks share them in a
	// bigger batch.
	Interval time.Duration
	// MaxBatch is the most hits written in one transaction (default
	// 50,000); a batch that reaches it is written before Interval. It
	// bounds how long SQLite's write lock is held while a backlog lasts.
	MaxBatch int
	// CounterInterval bounds how long the links' clicks and unique_clicks
	// and the QR codes' scans may lag the click rows under load (default
	// 10 s). The counts add up in memory and are written in the transaction
	// of a batch: of every batch while they touch at most CounterLinks rows
	// (so at ordinary traffic a count shows within a batch), else once
	// CounterInterval has passed; Flush and Close always write them. Each
	// counter update rewrites a link row, so when clicks spread over many
	// links, a longer interval lets each row take many clicks in one write
	// (bench/README.md, "Click writer").
	CounterInterval time.Duration
	// CounterLinks is the most links and QR codes whose counters are
	// written with every batch (default 2,000).
	CounterLinks int
	// Tries is how many times a failed batch is written before its hits
	// are tried one by one (default 3); the waits between tries grow from
	// Backoff (default 100 ms), doubling.
	Tries   int
	Backoff time.Duration
	// ClickRetention, when positive, is how long raw click rows are kept:
	// the writer deletes older ones (whole hours, the oldest first, at
	// most 10,000 with a batch, checked hourly once none are left). The
	// rollups, and so the statistics, stay.
	ClickRetention time.Duration
	// Hasher makes visitor hashes; required.
	Hasher *Hasher
	// GeoIP resolves the country of hits that arrive without one; optional.
	GeoIP *GeoIP
	// Publisher receives the clicks of each committed batch (live clicks,
	// live.go); optional.
	Publisher Publisher
	// ObserveBatch, when set, is told how long each batch transaction took
	// (begin to commit or rollback) and whether it committed (metrics).
	ObserveBatch func(d time.Duration, ok bool)
	Log          *slog.Logger
}

// Writer drains a Recorder into the database in batches: one transaction
// per batch inserts the click rows; the links' clicks and unique_clicks and
// the QR codes' scans add up in memory and are written with a batch as
// CounterInterval and CounterLinks say (and by Flush and Close). The enrichment that costs
// (user-agent parsing, GeoIP, hashing) happens here, off the request path.
type Writer struct {
	client *ent.Client
	rec    *Recorder
	opts   WriterOptions

	flushReq chan chan error
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once

	written, failed atomic.Uint64
	deletes         atomic.Uint64 // links and QR codes deleted (DeleteHook)

	sqlOnce               sync.Once
	linkSQL, qrSQL        string
	insertOne, insertMany string
	args                  []any    // the writer goroutine's INSERT arguments, reused
	order                 []uint64 // the writer goroutine's batch order, reused
	batch                 hits     // the writer goroutine's batch, reused

	// Owned by the writer goroutine.
	agents     map[string]Agent  // user-agent parse cache
	langs      map[string]string // Accept-Language cache
	visitors   visitorCache
	visitStmts map[int]string // visitor INSERTs by rows (visitSQL)
	rows       []clickRow     // the writer goroutine's batch rows, reused
	firstOf    []uint8        // the last inserted batch's first-visit states, by hit
	prunedDay  int64          // the UTC day whose old visitor rows are all deleted
	retainAt   time.Time      // when expired click rows are next looked for
	pending    tally          // counted since the counters were last written
	countedAt  time.Time      // when they were last written
	exists     existence
}

// NewWriter returns a Writer of rec's hits into client; Start runs it.
func NewWriter(client *ent.Client, rec *Recorder, opts WriterOptions) *Writer {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 50_000
	}
	if opts.CounterInterval <= 0 {
		opts.CounterInterval = 10 * time.Second
	}
	if opts.CounterLinks <= 0 {
		opts.CounterLinks = 2000
	}
	if opts.Tries <= 0 {
		opts.Tries = 3
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 100 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Writer{
		client: client, rec: rec, opts: opts,
		flushReq:  make(chan chan error),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
		agents:    map[string]Agent{},
		langs:     map[string]string{},
		countedAt: time.Now(),
	}
}

// DeleteHook tells the writer that links or QR codes were deleted, so it
// asks the database again which of a batch's links still exist. Install it
// on the Link and QRCode clients. (Without it, a hit of a deleted link
// fails its batch's foreign key once; the retry asks afresh.)
func (w *Writer) DeleteHook() ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v, err := next.Mutate(ctx, m)
			w.deletes.Add(1)
			return v, err
		})
	}, ent.OpDelete|ent.OpDeleteOne)
}

// Start runs the writer in its own goroutine until Close.
// On SQLite it first counts the click rows a crash left out of the
// counters (see recoverCounters).
func (w *Writer) Start() {
	if w.opts.Dialect == dialect.SQLite {
		if err := w.recoverCounters(context.Background()); err != nil {
			w.opts.Log.Error("recover click counters", "err", err)
		}
	}
	go w.run()
}

// Written is the number of hits stored; Failed the number given up after
// the database refused them.
func (w *Writer) Written() uint64 { return w.written.Load() }

// Failed is the number of hits the database refused even one by one.
func (w *Writer) Failed() uint64 { return w.failed.Load() }

// Dropped is the number of hits the writer gave up after its retries
// (the same as Failed): lost clicks, counted with the Recorder's Dropped in
// the server's shutdown line.
func (w *Writer) Dropped() uint64 { return w.failed.Load() }

// Flush writes every hit recorded before the call and returns when they are
// stored. Tests call it instead of sleeping.
func (w *Writer) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case w.flushReq <- reply:
	case <-w.done:
		return errors.New("click writer is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close drains the queue, writes what is left and stops the writer. The
// server calls it after HTTP has stopped, so no click is lost on SIGTERM.
func (w *Writer) Close(ctx context.Context) error {
	w.once.Do(func() { close(w.stop) })
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close click writer: %w (%d clicks still queued)", ctx.Err(), w.rec.Queued())
	}
}

func (w *Writer) run() {
	defer close(w.done)
	tick := time.NewTicker(w.opts.Interval)
	defer tick.Stop()
	w.rec.signalAt(w.opts.MaxBatch)
	for {
		select {
		case <-w.rec.ready: // a full batch before the interval
			_, _ = w.writeQueued(false)
		case <-tick.C:
			_, _ = w.writeQueued(false)
		case reply := <-w.flushReq:
			reply <- w.drain()
		case <-w.stop:
			w.drain()
			return
		}
	}
}

// writeQueued writes up to MaxBatch queued hits (and the counters when
// they are due or force), and reports whether fewer were queued.
func (w *Writer) writeQueued(force bool) (last bool, err error) {
	b := w.rec.take(w.batch[:0], w.opts.MaxBatch)
	last = b.Len() < w.opts.MaxBatch
	err = w.write(b, force && last)
	w.rec.recycle(b)
	w.batch = b[:0]
	return last, err
}

// drain writes everything queued now and the counters, and reports the
// first error.
func (w *Writer) drain() error {
	var first error
	for {
		last, err := w.writeQueued(true)
		if err != nil && first == nil {
			first = err
		}
		if last {
			return first
		}
	}
}

// write stores a batch (with the counters when they are due or force),
// trying Tries times with growing waits (a full disk or a locked database
// may clear); if the batch still fails it stores the hits one by one so
// one bad hit can't lose the others. What is finally refused is counted in
// Failed (Dropped) and logged.
func (w *Writer) write(batch hits, force bool) error {
	withCounters := force || time.Since(w.countedAt) >= w.opts.CounterInterval ||
		len(w.pending.links)+len(w.pending.qrs)+len(w.pending.rolls)+batch.Len() <= w.opts.CounterLinks
	if batch.Len() == 0 && (!withCounters || w.pending.empty()) {
		return nil
	}
	// No deadline: go-sqlite3 runs every statement of a cancellable context
	// in a goroutine of its own, which costs the writer dearly under load.
	// SQLite's busy_timeout bounds the waits.
	ctx := auth.SystemContext(context.Background())
	err := w.writeBatch(ctx, batch, withCounters)
	wait := w.opts.Backoff
	for try := 2; err != nil && try <= w.opts.Tries; try++ {
		w.opts.Log.Warn("write clicks failed, retrying", "err", err, "clicks", batch.Len(), "try", try, "wait", wait)
		w.exists.reset() // a link deleted since it was looked up fails the foreign key
		time.Sleep(wait)
		wait *= 2
		err = w.writeBatch(ctx, batch, withCounters)
	}
	if err == nil {
		w.written.Add(uint64(batch.Len()))
		return nil
	}
	w.opts.Log.Error("write clicks", "err", err, "clicks", batch.Len(), "tries", w.opts.Tries)
	var first error
	var lost uint64
	for i := range batch.Len() {
		if err := w.writeBatch(ctx, hits{{*batch.at(i)}}, false); err != nil {
			lost++
			if first == nil {
				first = err
			}
			continue
		}
		w.written.Add(1)
	}
	if lost > 0 {
		w.failed.Add(lost)
		w.opts.Log.Error("clicks dropped: the database refused them", "err", first, "dropped", lost, "dropped_total", w.failed.Load())
	}
	if withCounters {
		if err := w.writeBatch(ctx, nil, true); err != nil {
			w.opts.Log.Error("write click counters", "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// counter is what is added to one link's counters.
type counter struct{ clicks, unique int32 } // 8 bytes: the pending map holds one a link

// tally is what batches add to the links' and QR codes' counters. (Values,
// not pointers: no allocation a link, nothing for the GC to follow.)
type tally struct {
	links map[int]counter
	qrs   map[int]int
	rolls map[rollupKey]*rollup // the click rollups (rollup.go)
}

func (c *tally) addLink(id int, n counter) {
	if c.links == nil {
		c.links = map[int]counter{}
	}
	m := c.links[id]
	m.clicks += n.clicks
	m.unique += n.unique
	c.links[id] = m
}

func (c *tally) addQR(id, scans int) {
	if c.qrs == nil {
		c.qrs = map[int]int{}
	}
	c.qrs[id] += scans
}

// roll counts a stored click row in the rollups of its hour k and of its
// day.
func (c *tally) roll(k rollupKey, owner int, first bool, keys [7]string) {
	if c.rolls == nil {
		c.rolls = map[rollupKey]*rollup{}
	}
	day := k
	day.day, day.hour = true, k.hour-k.hour%24
	for _, k := range []rollupKey{k, day} {
		r := c.rolls[k]
		if r == nil {
			r = &rollup{owner: owner}
			c.rolls[k] = r
		}
		r.count(first, keys)
	}
}

func (c *tally) empty() bool { return len(c.links) == 0 && len(c.qrs) == 0 && len(c.rolls) == 0 }

// add adds o to c.
func (c *tally) add(o tally) {
	for id, n := range o.links {
		c.addLink(id, n)
	}
	for id, n := range o.qrs {
		c.addQR(id, n)
	}
	for k, r := range o.rolls {
		if c.rolls == nil {
			c.rolls = map[rollupKey]*rollup{}
		}
		m := c.rolls[k]
		if m == nil {
			m = &rollup{}
			c.rolls[k] = m
		}
		m.add(r)
	}
}

// writeBatch stores batch in one transaction and, withCounters, the
// counters pending so far plus the batch's. What the batch counted joins
// the pending counters only once the transaction has committed, so a
// failed batch counts nothing. While a new UTC day's old visitor rows are
// not all deleted, each batch deletes a chunk of them (pruneVisitors), and
// so of the click rows older than ClickRetention (pruneClicks).
func (w *Writer) writeBatch(ctx context.Context, batch hits, withCounters bool) (err error) {
	if w.opts.ObserveBatch != nil {
		start := time.Now()
		defer func() { w.opts.ObserveBatch(time.Since(start), err == nil) }()
	}
	tx, err := w.client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	added, err := w.insert(ctx, tx.Client(), batch)
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	now := time.Now()
	pruned := dayOf(now) == w.prunedDay
	if !pruned {
		if pruned, err = w.pruneVisitors(ctx, tx.Client(), now); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	retained := false
	if w.opts.ClickRetention > 0 && !now.Before(w.retainAt) {
		if retained, err = w.pruneClicks(ctx, tx.Client(), now); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if withCounters {
		// The rollups are merged as they are written, not copied here: they
		// are most of the pending counts under load.
		all := tally{}
		all.add(tally{links: w.pending.links, qrs: w.pending.qrs})
		all.add(tally{links: added.links, qrs: added.qrs})
		if err := w.updateCounters(ctx, tx.Client(), all, w.pending.rolls, added.rolls); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := w.moveMark(ctx, tx.Client()); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if pruned {
		w.prunedDay = dayOf(now)
	}
	if retained {
		w.retainAt = now.Add(time.Hour)
	}
	w.publish(batch)
	if withCounters {
		w.pending, w.countedAt = tally{}, time.Now()
	} else {
		w.pending.add(added)
	}
	return nil
}

// updateCounters adds c to the links' and QR codes' counters and c's and
// rolls' rollups to the stored ones: one UPDATE a
// link, in id order (for locality). On SQLite a statement is no round
// trip, and the cost is the page work on the rows, so one statement for
// all of them would gain nothing. A link deleted since updates nothing.
func (w *Writer) updateCounters(ctx context.Context, tx *ent.Client, c tally, rolls ...map[rollupKey]*rollup) error {
	if w.opts.Dialect == dialect.Postgres {
		return w.updateCountersPG(ctx, tx, c, rolls...)
	}
	linkSQL, qrSQL := w.counterSQL()
	for _, id := range sortedKeys(c.links) {
		n := c.links[id]
		if _, err := tx.ExecContext(ctx, linkSQL, n.clicks, n.unique, id); err != nil {
			return fmt.Errorf("count link clicks: %w", err)
		}
	}
	for _, id := range sortedKeys(c.qrs) {
		if _, err := tx.ExecContext(ctx, qrSQL, c.qrs[id], id); err != nil {
			return fmt.Errorf("count qr scans: %w", err)
		}
	}
	return w.writeRollups(ctx, tx, append(rolls, c.rolls)...)
}

// clickColumns are the columns the writer fills, in order.
var clickColumns = []string{
	click.FieldOwnerID, click.FieldLinkID, click.FieldQrCodeID, click.FieldCreatedAt, click.FieldCountry,
	click.FieldReferrer, click.FieldBrowser, click.FieldOs, click.FieldDevice, click.FieldLanguage,
	click.FieldVisitorHash, click.FieldBot, click.FieldFirstVisit,
}

// rowsPerInsert is the rows of one multi-row INSERT. Every full chunk has
// the same text, so the driver's statement cache (SQLiteDSN's
// _stmt_cache_size) compiles it once per connection, not once per batch:
// compiling a large INSERT is costly. The rest of a batch goes in one row at
// a time through the one-row statement, cached too.
// 256 rows x 13 columns stays far under both databases' parameter limits.
const rowsPerInsert = 256

// insertSQL returns the INSERT of n click rows for the dialect, built once
// for n = 1 and n = rowsPerInsert.
func (w *Writer) insertSQL(n int) string {
	w.sqlOnce.Do(w.buildSQL)
	if n == 1 {
		return w.insertOne
	}
	return w.insertMany
}

// clickRow is one hit of a batch as the writer stores it.
type clickRow struct {
	hit            *Hit
	t              time.Time
	agent          Agent
	country, hash  string
	language       string
	referrer       string
	linkID, qrID   int // 0 unless the link or QR code still exists
	first, firstQR bool
	idx            int // the hit's place in the batch
}

// First-visit states of a batch's hits (Writer.firstOf), for the live
// clicks published after the commit.
const (
	firstUnknown uint8 = iota // no stored target
	firstYes
	firstNo
)

func firstState(r *clickRow, bot bool) uint8 {
	switch {
	case r.linkID == 0 && r.qrID == 0:
		return firstUnknown
	case bot:
		return firstNo
	case (r.linkID != 0 && r.first) || (r.linkID == 0 && r.firstQR):
		return firstYes
	}
	return firstNo
}

// visit returns the key of the row's visit of its link (qr false) or QR
// code.
func (r *clickRow) visit(qr bool) visitKey {
	k := visitKey{day: dayOf(r.t), qr: qr, target: r.linkID, hash: keyOf(r.hash)}
	if qr {
		k.target = r.qrID
	}
	return k
}

// insert writes the rows of batch in tx and returns what it adds to the
// counters. Click rows go in through plain SQL, not ent's create builders:
// they are written only here, by the system, and skipping per-row hooks and
// policies is most of the writer's speed. First visits are found in the
// daily visitor table (visits.go) before the rows are written, so each row
// carries its first_visit flag.
func (w *Writer) insert(ctx context.Context, tx *ent.Client, batch hits) (tally, error) {
	var added tally
	if batch.Len() == 0 {
		return added, nil
	}
	links, qrs, err := w.existing(ctx, tx, batch)
	if err != nil {
		return added, err
	}
	// Rows in link order touch the click_link_id index in one sweep instead
	// of at random. The order is sorted, not the batch (a Hit is large): a
	// key is the link id above the hit's index, so a plain sort of integers
	// keeps the batch's order within a link, cheaper than a stable sort.
	order := w.order[:0]
	for i := range batch.Len() {
		order = append(order, uint64(batch.at(i).LinkID)<<32|uint64(i))
	}
	slices.Sort(order)
	w.order = order
	rows := w.rows[:0]
	w.firstOf = slices.Grow(w.firstOf[:0], batch.Len())[:batch.Len()]
	clear(w.firstOf)
	var visits []visitKey
	seen := map[visitKey]bool{}
	for _, k := range order {
		h := batch.at(int(uint32(k)))
		r := clickRow{hit: h, t: h.Time.UTC(), idx: int(uint32(k))}
		if h.Time.IsZero() {
			r.t = time.Now().UTC()
		}
		r.agent = w.agent(h.UserAgent)
		r.country = h.Country
		if r.country == "" {
			r.country = w.opts.GeoIP.Country(h.IP)
		}
		r.hash = w.visitor(h.IP, h.UserAgent, r.t)
		r.referrer, r.language = ReferrerHost(h.Referrer), w.language(h.AcceptLanguage)
		if h.LinkID != 0 && links.has(h.LinkID) {
			r.linkID = h.LinkID
		}
		if h.QRCodeID != 0 && qrs.has(h.QRCodeID) {
			r.qrID = h.QRCodeID
		}
		if !h.Bot {
			for _, qr := range []bool{false, true} {
				if (!qr && r.linkID == 0) || (qr && r.qrID == 0) {
					continue
				}
				if v := r.visit(qr); !seen[v] {
					seen[v] = true
					visits = append(visits, v)
				}
			}
		}
		rows = append(rows, r)
	}
	first, err := w.firstVisits(ctx, tx, visits)
	if err != nil {
		return added, err
	}
	if w.args == nil {
		w.args = make([]any, 0, rowsPerInsert*len(clickColumns))
	}
	args := w.args[:0]
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		m := n
		if m < rowsPerInsert { // a batch's tail: one row at a time
			m = 1
		}
		q, per := w.insertSQL(m), len(clickColumns)*m
		for i := 0; i < len(args); i += per {
			if err := execRows(ctx, tx, q, args[i:i+per]); err != nil {
				return fmt.Errorf("insert clicks: %w", err)
			}
		}
		n, args = 0, args[:0]
		return nil
	}
	for i := range rows {
		r := &rows[i]
		h := r.hit
		var linkID, qrID, firstVisit any // NULL unless the link or QR code still exists
		if r.linkID != 0 {
			linkID = r.linkID
		}
		if r.qrID != 0 {
			qrID = r.qrID
		}
		if !h.Bot {
			// A visit is first once: the first of the batch's rows with its key.
			if r.linkID != 0 {
				v := r.visit(false)
				r.first = first[v]
				delete(first, v)
				c := counter{clicks: 1}
				if r.first {
					c.unique = 1
				}
				added.addLink(r.linkID, c)
			}
			if r.qrID != 0 {
				v := r.visit(true)
				r.firstQR = first[v]
				delete(first, v)
				added.addQR(r.qrID, 1)
			}
		}
		// The row's flag is its link's visit, else its QR code's.
		switch {
		case r.linkID != 0:
			firstVisit = r.first
		case r.qrID != 0:
			firstVisit = r.firstQR
		default:
			firstVisit = false
		}
		w.firstOf[r.idx] = firstState(r, h.Bot)
		if !h.Bot {
			keys := rollupKeys(r.country, r.referrer, r.agent, r.language)
			hour := r.t.Unix() / 3600
			if r.linkID != 0 {
				added.roll(rollupKey{target: r.linkID, hour: hour}, h.OwnerID, r.first, keys)
			}
			if r.qrID != 0 {
				added.roll(rollupKey{qr: true, target: r.qrID, hour: hour}, h.OwnerID, r.firstQR, keys)
			}
		}
		args = append(args, h.OwnerID, linkID, qrID, r.t, r.country, r.referrer, r.agent.Browser, r.agent.OS,
			r.agent.Device, r.language, r.hash, h.Bot, firstVisit)
		if n++; n == rowsPerInsert {
			if err := flush(); err != nil {
				return added, err
			}
		}
	}
	if err := flush(); err != nil {
		return added, err
	}
	clear(args[:cap(args)]) // drop the strings for the garbage collector
	clear(rows)
	w.rows = rows[:0]
	return added, nil
}

// countersPerUpdate is the rows one PostgreSQL counter UPDATE changes.
const countersPerUpdate = 1000

// updateCountersPG adds c to the counters on PostgreSQL, a thousand rows a
// statement (UPDATE ... FROM VALUES): there each statement is a round trip
// to the server, and with one a link the writer fell behind under load.
// Rows go in id order, so two writers lock them in the same order.
func (w *Writer) updateCountersPG(ctx context.Context, tx *ent.Client, c tally, rolls ...map[rollupKey]*rollup) error {
	type table struct {
		name, set string
		ids       []int
		row       func(id int) []any
	}
	for _, t := range []table{
		{link.Table, fmt.Sprintf("%[1]s = t.%[1]s + v.a, %[2]s = t.%[2]s + v.b", link.FieldClicks, link.FieldUniqueClicks),
			sortedKeys(c.links), func(id int) []any { n := c.links[id]; return []any{id, n.clicks, n.unique} }},
		{qrcode.Table, fmt.Sprintf("%[1]s = t.%[1]s + v.a", qrcode.FieldScans),
			sortedKeys(c.qrs), func(id int) []any { return []any{id, c.qrs[id], 0} }},
	} {
		for ids := t.ids; len(ids) > 0; ids = ids[min(len(ids), countersPerUpdate):] {
			chunk := ids[:min(len(ids), countersPerUpdate)]
			var q strings.Builder
			args := make([]any, 0, 3*len(chunk))
			fmt.Fprintf(&q, "UPDATE %s AS t SET %s FROM (VALUES ", t.name, t.set)
			for i, id := range chunk {
				if i > 0 {
					q.WriteByte(',')
				}
				fmt.Fprintf(&q, "($%d::bigint,$%d::bigint,$%d::bigint)", 3*i+1, 3*i+2, 3*i+3)
				args = append(args, t.row(id)...)
			}
			q.WriteString(") AS v(id, a, b) WHERE t.id = v.id")
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return fmt.Errorf("count %s: %w", t.name, err)
			}
		}
	}
	return w.writeRollups(ctx, tx, append(rolls, c.rolls)...)
}

// counterSQL returns the statements that add to a link's and a QR code's
// counters, built once for the dialect.
func (w *Writer) counterSQL() (linkSQL, qrSQL string) {
	w.sqlOnce.Do(w.buildSQL)
	return w.linkSQL, w.qrSQL
}

// buildSQL builds the writer's statements once for the dialect: the same
// text every batch lets the driver reuse the compiled statements.
func (w *Writer) buildSQL() {
	b := entsql.Dialect(w.opts.Dialect)
	w.linkSQL, _ = b.Update(link.Table).Add(link.FieldClicks, 0).Add(link.FieldUniqueClicks, 0).
		Where(entsql.EQ(link.FieldID, 0)).Query()
	w.qrSQL, _ = b.Update(qrcode.Table).Add(qrcode.FieldScans, 0).Where(entsql.EQ(qrcode.FieldID, 0)).Query()
	values := make([]any, len(clickColumns)) // placeholders: nil would print NULL
	for i := range values {
		values[i] = 0
	}
	ins := b.Insert(click.Table).Columns(clickColumns...).Values(values...)
	w.insertOne, _ = ins.Query()
	ins = b.Insert(click.Table).Columns(clickColumns...)
	for range rowsPerInsert {
		ins.Values(values...)
	}
	w.insertMany, _ = ins.Query()
}

// execRows runs a statement that returns no rows through Query rather
// than Exec: go-sqlite3 binds a query's arguments and takes its first step
// in one cgo call, and an Exec makes one call an argument (12 a click row).
func execRows(ctx context.Context, tx *ent.Client, q string, args []any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	return errors.Join(rows.Close(), rows.Err())
}

func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// idsPerQuery bounds an id IN (...) list.
const idsPerQuery = 10_000

// existence remembers which links and QR codes exist, so a batch asks the
// database only about ids it has not met. It is emptied when DeleteHook
// has seen a delete, and when a batch fails (a link deleted in a way the
// hook did not see fails the batch's foreign key; the retry asks afresh).
// Only what exists is remembered: an id may come back after a delete.
type existence struct {
	deletes    uint64
	links, qrs idSet
}

func (e *existence) reset() { e.links, e.qrs = e.links[:0], e.qrs[:0] }

// idSet is a set of ids as a bitmap (ids are small and dense: 100,000 links
// take 12.5 KB). Ids past maxSetID are never added, so are always looked up.
type idSet []uint64

const maxSetID = 1 << 26 // 8 MB of bits at most

func (s idSet) has(id int) bool {
	i := id >> 6
	return id >= 0 && i < len(s) && s[i]&(1<<(id&63)) != 0
}

func (s *idSet) add(id int) {
	if id < 0 || id > maxSetID {
		return
	}
	i := id >> 6
	if i >= len(*s) {
		*s = append(*s, make([]uint64, i+1-len(*s))...)
	}
	(*s)[i] |= 1 << (id & 63)
}

// existing returns which of the batch's links and QR codes still exist: a
// hit of one deleted since is kept for the owner's statistics, without it.
func (w *Writer) existing(ctx context.Context, tx *ent.Client, batch hits) (links, qrs idSet, err error) {
	e := &w.exists
	if d := w.deletes.Load(); d != e.deletes {
		e.reset()
		e.deletes = d
	}
	var lids, qids []int
	for i := range batch.Len() {
		h := batch.at(i)
		if h.LinkID != 0 && !e.links.has(h.LinkID) {
			lids = append(lids, h.LinkID)
		}
		if h.QRCodeID != 0 && !e.qrs.has(h.QRCodeID) {
			qids = append(qids, h.QRCodeID)
		}
	}
	// In chunks: SQLite takes at most 32,766 bound parameters.
	for ids := slices.Compact(slices.Sorted(slices.Values(lids))); len(ids) > 0; ids = ids[min(len(ids), idsPerQuery):] {
		found, err := tx.Link.Query().Where(link.IDIn(ids[:min(len(ids), idsPerQuery)]...)).IDs(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("find links: %w", err)
		}
		for _, id := range found {
			e.links.add(id)
		}
	}
	for ids := slices.Compact(slices.Sorted(slices.Values(qids))); len(ids) > 0; ids = ids[min(len(ids), idsPerQuery):] {
		found, err := tx.QRCode.Query().Where(qrcode.IDIn(ids[:min(len(ids), idsPerQuery)]...)).IDs(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("find qr codes: %w", err)
		}
		for _, id := range found {
			e.qrs.add(id)
		}
	}
	return e.links, e.qrs, nil
}

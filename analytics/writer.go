package analytics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"shortener/auth"
	"shortener/ent"
	"shortener/ent/click"
	"shortener/ent/link"
	"shortener/ent/qrcode"
)

// WriterOptions configure a Writer.
type WriterOptions struct {
	// Dialect is the SQL dialect of the client's database
	// (entgo.io/ent/dialect.SQLite or .Postgres).
	Dialect string
	// BatchSize is how many queued hits start a write before Interval
	// (default 500).
	BatchSize int
	// MaxBatch is the most hits written in one transaction (default 20,000).
	// When the writer falls behind, bigger transactions catch up: a batch's
	// cost is mostly the pages it touches (link rows, index pages), and more
	// clicks share them (measured 48 us a click at 5,000, 34 at 20,000, over
	// 100,000 links). The price is a longer hold of SQLite's write lock
	// (~0.5 s) while a backlog lasts.
	MaxBatch int
	// Interval is how long a hit may wait for a batch to fill (default 100 ms).
	Interval time.Duration
	// Hasher makes visitor hashes; required.
	Hasher *Hasher
	// GeoIP resolves the country of hits that arrive without one; optional.
	GeoIP *GeoIP
	Log   *slog.Logger
}

// Writer drains a Recorder into the database in batches: one transaction
// per batch inserts the click rows and bumps each link's clicks and
// unique_clicks and each QR code's scans once. The enrichment that costs
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

	sqlOnce               sync.Once
	linkSQL, qrSQL        string
	insertOne, insertMany string
	args                  []any // the writer goroutine's INSERT arguments, reused

	// Owned by the writer goroutine.
	agents map[string]Agent  // user-agent parse cache
	langs  map[string]string // Accept-Language cache
	seen   seenSet
}

// NewWriter returns a Writer of rec's hits into client; Start runs it.
func NewWriter(client *ent.Client, rec *Recorder, opts WriterOptions) *Writer {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if opts.MaxBatch < opts.BatchSize {
		opts.MaxBatch = max(20_000, opts.BatchSize)
	}
	if opts.Interval <= 0 {
		opts.Interval = 100 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Writer{
		client: client, rec: rec, opts: opts,
		flushReq: make(chan chan error),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		agents:   map[string]Agent{},
		langs:    map[string]string{},
	}
}

// Start runs the writer in its own goroutine until Close.
func (w *Writer) Start() { go w.run() }

// Written is the number of hits stored; Failed the number given up after
// the database refused them.
func (w *Writer) Written() uint64 { return w.written.Load() }

// Failed is the number of hits the database refused even one by one.
func (w *Writer) Failed() uint64 { return w.failed.Load() }

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
	batch := make([]Hit, 0, w.opts.MaxBatch)
	for {
		select {
		case h := <-w.rec.ch:
			batch = append(batch, h)
			if len(batch) >= w.opts.BatchSize {
				batch = w.writeFrom(w.take(batch))
			}
		case <-tick.C:
			if len(batch) > 0 {
				batch = w.writeFrom(w.take(batch))
			}
		case reply := <-w.flushReq:
			reply <- w.drain(batch)
			batch = batch[:0]
		case <-w.stop:
			w.drain(batch)
			return
		}
	}
}

// take adds what is queued now to batch, up to MaxBatch.
func (w *Writer) take(batch []Hit) []Hit {
	for len(batch) < w.opts.MaxBatch {
		select {
		case h := <-w.rec.ch:
			batch = append(batch, h)
		default:
			return batch
		}
	}
	return batch
}

// writeFrom writes batch and returns it emptied for reuse.
func (w *Writer) writeFrom(batch []Hit) []Hit {
	_ = w.write(batch)
	clear(batch) // drop the strings for the garbage collector
	return batch[:0]
}

// drain writes batch and everything queued now, and reports the first
// error.
func (w *Writer) drain(batch []Hit) error {
	var first error
	for {
		batch = w.take(batch)
		if len(batch) == 0 {
			return first
		}
		if err := w.write(batch); err != nil && first == nil {
			first = err
		}
		clear(batch)
		batch = batch[:0]
	}
}

// write stores a batch, retrying once; if the batch still fails it stores
// the hits one by one so one bad hit can't lose the others.
func (w *Writer) write(batch []Hit) error {
	if len(batch) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(auth.SystemContext(context.Background()), 30*time.Second)
	defer cancel()
	err := w.writeBatch(ctx, batch)
	if err != nil {
		time.Sleep(50 * time.Millisecond)
		err = w.writeBatch(ctx, batch)
	}
	if err == nil {
		w.written.Add(uint64(len(batch)))
		return nil
	}
	w.opts.Log.Error("write clicks", "err", err, "clicks", len(batch))
	var first error
	for i := range batch {
		if err := w.writeBatch(ctx, batch[i:i+1]); err != nil {
			w.failed.Add(1)
			if first == nil {
				first = err
			}
			continue
		}
		w.written.Add(1)
	}
	return first
}

// counter is what one batch adds to one link or QR code.
type counter struct{ clicks, unique int }

func (w *Writer) writeBatch(ctx context.Context, batch []Hit) error {
	tx, err := w.client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	newSeen, err := w.insert(ctx, tx.Client(), batch)
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, k := range newSeen {
		w.seen.add(k)
	}
	return nil
}

// clickColumns are the columns the writer fills, in order.
var clickColumns = []string{
	click.FieldOwnerID, click.FieldLinkID, click.FieldQrCodeID, click.FieldCreatedAt, click.FieldCountry,
	click.FieldReferrer, click.FieldBrowser, click.FieldOs, click.FieldDevice, click.FieldLanguage,
	click.FieldVisitorHash, click.FieldBot,
}

// rowsPerInsert is the rows of one multi-row INSERT. Every full chunk has
// the same text, so the driver's statement cache (SQLiteDSN's
// _stmt_cache_size) compiles it once per connection, not once per batch; a
// 500-row INSERT took a third of the writer's time to prepare. The rest of a
// batch goes in one row at a time through the one-row statement, cached too.
// 64 rows x 12 columns stays far under both databases' parameter limits.
const rowsPerInsert = 64

// insertSQL returns the INSERT of n click rows for the dialect, built once
// for n = 1 and n = rowsPerInsert.
func (w *Writer) insertSQL(n int) string {
	w.sqlOnce.Do(w.buildSQL)
	if n == 1 {
		return w.insertOne
	}
	return w.insertMany
}

// insert writes the rows and counters of batch in tx and returns the
// visitor keys it has seen. Click rows go in through plain SQL, not ent's
// create builders: they are written only here, by the system, and skipping
// per-row hooks and policies is most of the writer's speed.
func (w *Writer) insert(ctx context.Context, tx *ent.Client, batch []Hit) ([]seenKey, error) {
	links, qrs, err := existing(ctx, tx, batch)
	if err != nil {
		return nil, err
	}
	// Rows in link order touch the (link_id, created_at) index in one sweep
	// instead of at random: with many links this halves the page work.
	slices.SortStableFunc(batch, func(a, b Hit) int { return a.LinkID - b.LinkID })
	linkCount := map[int]*counter{}
	qrCount := map[int]int{}
	var newSeen []seenKey
	pending := map[seenKey]bool{}
	if w.args == nil {
		w.args = make([]any, 0, rowsPerInsert*len(clickColumns))
	}
	args := w.args[:0]
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		n := rows
		if n < rowsPerInsert { // a batch's tail: one row at a time
			n = 1
		}
		q, per := w.insertSQL(n), len(clickColumns)*n
		for i := 0; i < len(args); i += per {
			if _, err := tx.ExecContext(ctx, q, args[i:i+per]...); err != nil {
				return fmt.Errorf("insert clicks: %w", err)
			}
		}
		rows, args = 0, args[:0]
		return nil
	}
	for i := range batch {
		h := &batch[i]
		t := h.Time.UTC()
		if h.Time.IsZero() {
			t = time.Now().UTC()
		}
		a := w.agent(h.UserAgent)
		country := h.Country
		if country == "" {
			country = w.opts.GeoIP.Country(h.IP)
		}
		hash := w.opts.Hasher.Hash(h.IP, h.UserAgent, t)
		var linkID, qrID any // NULL unless the link or QR code still exists
		if h.LinkID != 0 && links[h.LinkID] {
			linkID = h.LinkID
			if !h.Bot {
				n := linkCount[h.LinkID]
				if n == nil {
					n = &counter{}
					linkCount[h.LinkID] = n
				}
				n.clicks++
				k := seenKey{day: dayOf(t), link: h.LinkID, hash: keyOf(hash)}
				if !pending[k] {
					first, err := w.firstVisit(ctx, tx, k)
					if err != nil {
						return nil, err
					}
					pending[k] = true
					newSeen = append(newSeen, k)
					if first {
						n.unique++
					}
				}
			}
		}
		if h.QRCodeID != 0 && qrs[h.QRCodeID] {
			qrID = h.QRCodeID
			if !h.Bot {
				qrCount[h.QRCodeID]++
			}
		}
		args = append(args, h.OwnerID, linkID, qrID, t, country, ReferrerHost(h.Referrer), a.Browser, a.OS,
			a.Device, w.language(h.AcceptLanguage), hash, h.Bot)
		if rows++; rows == rowsPerInsert {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	clear(args[:cap(args)]) // drop the strings for the garbage collector
	// One UPDATE per link (in id order, for locality); batching them into
	// one statement measured no faster: the cost is SQLite's page work on
	// the row and its (owner_id, clicks) index entry, not the statements.
	linkSQL, qrSQL := w.counterSQL()
	for _, id := range sortedKeys(linkCount) {
		n := linkCount[id]
		if _, err := tx.ExecContext(ctx, linkSQL, n.clicks, n.unique, id); err != nil {
			return nil, fmt.Errorf("count link clicks: %w", err)
		}
	}
	for _, id := range sortedKeys(qrCount) {
		if _, err := tx.ExecContext(ctx, qrSQL, qrCount[id], id); err != nil {
			return nil, fmt.Errorf("count qr scans: %w", err)
		}
	}
	return newSeen, nil
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

// existing returns which of the batch's links and QR codes still exist: a
// hit of one deleted since is kept for the owner's statistics, without it.
func existing(ctx context.Context, tx *ent.Client, batch []Hit) (links, qrs map[int]bool, err error) {
	var lids, qids []int
	for _, h := range batch {
		if h.LinkID != 0 {
			lids = append(lids, h.LinkID)
		}
		if h.QRCodeID != 0 {
			qids = append(qids, h.QRCodeID)
		}
	}
	links, qrs = map[int]bool{}, map[int]bool{}
	// In chunks: SQLite takes at most 32,766 bound parameters.
	for ids := slices.Compact(slices.Sorted(slices.Values(lids))); len(ids) > 0; ids = ids[min(len(ids), idsPerQuery):] {
		found, err := tx.Link.Query().Where(link.IDIn(ids[:min(len(ids), idsPerQuery)]...)).IDs(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("find links: %w", err)
		}
		for _, id := range found {
			links[id] = true
		}
	}
	for ids := slices.Compact(slices.Sorted(slices.Values(qids))); len(ids) > 0; ids = ids[min(len(ids), idsPerQuery):] {
		found, err := tx.QRCode.Query().Where(qrcode.IDIn(ids[:min(len(ids), idsPerQuery)]...)).IDs(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("find qr codes: %w", err)
		}
		for _, id := range found {
			qrs[id] = true
		}
	}
	return links, qrs, nil
}

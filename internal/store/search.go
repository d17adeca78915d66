package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"shortener/ent"
	"shortener/ent/user"
)

// This file keeps what link lists need beyond ent's schema, set up at every
// Open after ent's migration (additive, idempotent, cheap when in place):
//
//   - link_counts: each owner's number of links, kept by triggers on links
//     (every path: ent's creates and deletes, bulk inserts, cascades), so an
//     unfiltered list answers its exact total without counting.
//   - text search over alias, long URL, title and description: on SQLite an
//     FTS5 table with the trigram tokenizer (link_search, external content
//     on links, kept by triggers); on PostgreSQL pg_trgm GIN indexes on the
//     four columns, which serve the LIKE / ILIKE queries as they are.
//
// The FTS5 index is only a filter of candidates: a list still applies its
// LIKE predicates, so the answer is the same set as without it (case,
// % and _ included). Terms shorter than three characters have no trigram
// and scan as before.

// MinSearchLen is the shortest term (in characters) the trigram indexes
// serve; shorter ones scan.
const MinSearchLen = 3

// SearchTable is the SQLite FTS5 table over links' text columns.
const SearchTable = "link_search"

// searchColumns are the links columns SearchTable indexes, in its order.
var searchColumns = []string{"alias", "long_url", "title", "description"}

// fts5 reports whether this binary's SQLite has FTS5 and the trigram
// tokenizer. go-sqlite3 compiles FTS5 in only with the sqlite_fts5 build
// tag (go build -tags sqlite_fts5); without it link search scans.
var fts5 = sync.OnceValue(func() bool {
	db, err := sql.Open(sqliteDriverName, ":memory:")
	if err != nil {
		return false
	}
	defer db.Close()
	_, err = db.Exec("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='trigram')")
	return err == nil
})

// SQLiteSearch reports whether SQLite databases opened by this binary have
// the FTS5 link search (see fts5).
func SQLiteSearch() bool { return fts5() }

var (
	noFTS5Once  sync.Once
	noTrgmOnce  sync.Once
	listsLogger = slog.Default
)

// setupLists creates link_counts and the search indexes with what keeps
// them current, when they are missing.
func setupLists(ctx context.Context, drv dialect.Driver) error {
	switch drv.Dialect() {
	case dialect.SQLite:
		return setupSQLiteLists(ctx, drv)
	case dialect.Postgres:
		return setupPostgresLists(ctx, drv)
	}
	return nil
}

var sqliteSearchTriggers = []string{"link_search_ai", "link_search_ad", "link_search_au"}
var sqliteCountTriggers = []string{"link_counts_ai", "link_counts_ad"}

func setupSQLiteLists(ctx context.Context, drv dialect.Driver) error {
	tx, err := drv.Tx(ctx)
	if err != nil {
		return err
	}
	if err := sqliteLists(ctx, tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func sqliteLists(ctx context.Context, tx dialect.Tx) error {
	cols := strings.Join(searchColumns, ", ")
	vals := func(row string) string {
		out := make([]string, len(searchColumns))
		for i, c := range searchColumns {
			out[i] = row + "." + c
		}
		return strings.Join(out, ", ")
	}
	if fts5() {
		n, err := countTriggers(ctx, tx, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('link_search_ai', 'link_search_ad', 'link_search_au')")
		if err != nil {
			return err
		}
		if n != len(sqliteSearchTriggers) {
			// Missing (new database, or one an FTS5-less binary wrote to):
			// create the table and the triggers, and index every link.
			stmts := []string{
				fmt.Sprintf("CREATE VIRTUAL TABLE IF NOT EXISTS %s USING fts5(%s, content='links', content_rowid='id', tokenize='trigram')", SearchTable, cols),
				fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS link_search_ai AFTER INSERT ON links BEGIN INSERT INTO %[1]s(rowid, %[2]s) VALUES (new.id, %[3]s); END",
					SearchTable, cols, vals("new")),
				fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS link_search_ad AFTER DELETE ON links BEGIN INSERT INTO %[1]s(%[1]s, rowid, %[2]s) VALUES ('delete', old.id, %[3]s); END",
					SearchTable, cols, vals("old")),
				// Only the indexed columns: click counters do not touch the index.
				fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS link_search_au AFTER UPDATE OF %[2]s ON links BEGIN "+
					"INSERT INTO %[1]s(%[1]s, rowid, %[2]s) VALUES ('delete', old.id, %[3]s); "+
					"INSERT INTO %[1]s(rowid, %[2]s) VALUES (new.id, %[4]s); END",
					SearchTable, cols, vals("old"), vals("new")),
				fmt.Sprintf("INSERT INTO %[1]s(%[1]s) VALUES ('rebuild')", SearchTable),
			}
			if err := execAll(ctx, tx, stmts); err != nil {
				return fmt.Errorf("link search: %w", err)
			}
		}
	} else {
		// An FTS5 table a tagged build made cannot be kept current here:
		// drop its triggers (writes would fail on them), and a tagged build
		// rebuilds the index when it finds them missing.
		var stmts []string
		for _, t := range sqliteSearchTriggers {
			stmts = append(stmts, "DROP TRIGGER IF EXISTS "+t)
		}
		if err := execAll(ctx, tx, stmts); err != nil {
			return err
		}
		noFTS5Once.Do(func() {
			listsLogger().Info("SQLite without FTS5 (build with -tags sqlite_fts5): link search scans every link of the account")
		})
	}
	n, err := countTriggers(ctx, tx, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('link_counts_ai', 'link_counts_ad')")
	if err != nil {
		return err
	}
	if n != len(sqliteCountTriggers) {
		stmts := []string{
			"CREATE TABLE IF NOT EXISTS link_counts (owner_id INTEGER PRIMARY KEY, links INTEGER NOT NULL)",
			"CREATE TRIGGER IF NOT EXISTS link_counts_ai AFTER INSERT ON links BEGIN " +
				"INSERT INTO link_counts(owner_id, links) VALUES (new.owner_id, 1) ON CONFLICT(owner_id) DO UPDATE SET links = links + 1; END",
			"CREATE TRIGGER IF NOT EXISTS link_counts_ad AFTER DELETE ON links BEGIN " +
				"UPDATE link_counts SET links = links - 1 WHERE owner_id = old.owner_id; END",
			"DELETE FROM link_counts",
			"INSERT INTO link_counts(owner_id, links) SELECT owner_id, count(*) FROM links GROUP BY owner_id",
		}
		if err := execAll(ctx, tx, stmts); err != nil {
			return fmt.Errorf("link counts: %w", err)
		}
	}
	return nil
}

func setupPostgresLists(ctx context.Context, drv dialect.Driver) error {
	// The extension first, alone: a failed CREATE EXTENSION would abort a
	// transaction. Installed in public (not the first schema of the
	// search path, which tests drop), named by its schema in the indexes.
	var extSchema string
	found, err := queryString(ctx, drv, "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'", &extSchema)
	if err != nil {
		return err
	}
	if !found {
		if err := drv.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public", []any{}, nil); err == nil {
			found, err = queryString(ctx, drv, "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'", &extSchema)
			if err != nil {
				return err
			}
		} else {
			noTrgmOnce.Do(func() {
				listsLogger().Warn("PostgreSQL without pg_trgm: link search scans every link of the account", "err", err)
			})
		}
	}
	tx, err := drv.Tx(ctx)
	if err != nil {
		return err
	}
	if err := postgresLists(ctx, tx, found, extSchema); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if found {
		pgTrgm.Store(true)
	}
	return nil
}

func postgresLists(ctx context.Context, tx dialect.Tx, trgm bool, extSchema string) error {
	// Lock out concurrent writers (and another server starting) while the
	// counts are checked and backfilled.
	if err := tx.Exec(ctx, "LOCK TABLE links IN SHARE ROW EXCLUSIVE MODE", []any{}, nil); err != nil {
		return err
	}
	var stmts []string
	if trgm {
		for _, c := range searchColumns {
			stmts = append(stmts, fmt.Sprintf("CREATE INDEX IF NOT EXISTS link_%s_trgm ON links USING gin (%s %s.gin_trgm_ops)",
				c, c, pqIdent(extSchema)))
		}
	}
	n, err := countTriggers(ctx, tx, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'links'::regclass AND tgname IN ('link_counts_insert', 'link_counts_delete')")
	if err != nil {
		return err
	}
	if n != 2 {
		// Statement triggers with transition tables: one counter update per
		// statement and owner, not per row (a bulk insert of 1,000 links
		// updates the owner's row once).
		stmts = append(stmts,
			"CREATE TABLE IF NOT EXISTS link_counts (owner_id bigint PRIMARY KEY, links bigint NOT NULL)",
			`CREATE OR REPLACE FUNCTION link_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO link_counts AS c (owner_id, links) SELECT owner_id, count(*) FROM link_counts_new GROUP BY owner_id ORDER BY owner_id
  ON CONFLICT (owner_id) DO UPDATE SET links = c.links + EXCLUDED.links;
  RETURN NULL;
END $$`,
			`CREATE OR REPLACE FUNCTION link_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE link_counts AS c SET links = c.links - d.n
  FROM (SELECT owner_id, count(*) AS n FROM link_counts_old GROUP BY owner_id) d WHERE c.owner_id = d.owner_id;
  RETURN NULL;
END $$`,
			"DROP TRIGGER IF EXISTS link_counts_insert ON links",
			"DROP TRIGGER IF EXISTS link_counts_delete ON links",
			"CREATE TRIGGER link_counts_insert AFTER INSERT ON links REFERENCING NEW TABLE AS link_counts_new FOR EACH STATEMENT EXECUTE FUNCTION link_counts_insert()",
			"CREATE TRIGGER link_counts_delete AFTER DELETE ON links REFERENCING OLD TABLE AS link_counts_old FOR EACH STATEMENT EXECUTE FUNCTION link_counts_delete()",
			"DELETE FROM link_counts",
			"INSERT INTO link_counts (owner_id, links) SELECT owner_id, count(*) FROM links GROUP BY owner_id",
		)
	}
	if err := execAll(ctx, tx, stmts); err != nil {
		return fmt.Errorf("link lists: %w", err)
	}
	return nil
}

func pqIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func execAll(ctx context.Context, ex dialect.ExecQuerier, stmts []string) error {
	for _, s := range stmts {
		if err := ex.Exec(ctx, s, []any{}, nil); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func countTriggers(ctx context.Context, q dialect.ExecQuerier, query string) (int, error) {
	var rows entsql.Rows
	if err := q.Query(ctx, query, []any{}, &rows); err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

func queryString(ctx context.Context, q dialect.ExecQuerier, query string, dst *string) (bool, error) {
	var rows entsql.Rows
	if err := q.Query(ctx, query, []any{}, &rows); err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	return true, rows.Scan(dst)
}

// LinkCount returns the number of links ownerID owns, from link_counts
// (read through the users table, so the viewer's privacy rules apply: a
// viewer reads its own count, anyone else 0).
func LinkCount(ctx context.Context, client *ent.Client, ownerID int) (int, error) {
	var rows []struct {
		Links int `json:"links"`
	}
	err := client.User.Query().Where(user.ID(ownerID)).Modify(func(s *entsql.Selector) {
		t := entsql.Table("link_counts")
		s.Join(t).On(s.C(user.FieldID), t.C("owner_id")).Select(entsql.As(t.C("links"), "links"))
	}).Scan(ctx, &rows)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	return rows[0].Links, nil
}

// SearchTerm is a substring filter a link list applies (with LIKE):
// Term in Column (empty: any of alias, long_url, title, description),
// ignoring case when Fold (ent's ContainsFold; Term is then lower-case).
type SearchTerm struct {
	Column, Term string
	Fold         bool
}

// SearchScanBelow is the account size (links) under which a search scans
// the account's links (at most that many LIKE tests) rather than the FTS5
// index, whose candidates span every account. Tests lower it.
var SearchScanBelow = 5000

// SearchFrom returns a modifier for a link query of ownerID's links
// filtered (with LIKE) by terms, on SQLite with FTS5: it makes the query
// read the links the index finds for one term (FROM (SELECT * FROM links
// WHERE id IN (index candidates)) AS links), a superset of the rows
// that contain the term ignoring case, which the query's own predicates
// (the owner, the LIKE filters) then narrow to the same set as a scan.
// SQLite's planner would otherwise walk the owner index and test every link.
// It returns nil, and the query scans the owner's links as before, where
// that is as cheap: not SQLite with FTS5, no term of MinSearchLen or more
// characters, an account under SearchScanBelow links, or terms whose
// candidates number a quarter of the account or more.
func SearchFrom(ctx context.Context, client *ent.Client, dialectName string, ownerID int, terms []SearchTerm) (func(*entsql.Selector), error) {
	if dialectName == dialect.Postgres {
		return postgresSearchFrom(ctx, client, ownerID, terms)
	}
	if dialectName != dialect.SQLite || !fts5() {
		return nil, nil
	}
	var usable []SearchTerm
	for _, t := range terms {
		if utf8.RuneCountInString(t.Term) >= MinSearchLen {
			usable = append(usable, t)
		}
	}
	if len(usable) == 0 {
		return nil, nil
	}
	n, err := LinkCount(ctx, client, ownerID)
	if err != nil || n < SearchScanBelow {
		return nil, err
	}
	limit := max(n/4, 1000)
	for _, t := range usable {
		match := matchExpr(t)
		rows, err := client.QueryContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM "+SearchTable+" WHERE "+SearchTable+" MATCH ? LIMIT ?)", match, limit)
		if err != nil {
			return nil, err
		}
		var found int
		if rows.Next() {
			err = rows.Scan(&found)
		}
		rows.Close()
		if err != nil {
			return nil, err
		}
		if found < limit {
			return func(s *entsql.Selector) {
				inner := entsql.Dialect(dialect.SQLite).Select("*").From(entsql.Table("links"))
				inner.Where(entsql.P(func(b *entsql.Builder) {
					b.WriteString("id IN (SELECT rowid FROM " + SearchTable + " WHERE " + SearchTable + " MATCH ").Arg(match).WriteString(")")
				}))
				// LIMIT -1 (none) keeps SQLite from flattening the subquery
				// or pushing the owner term into it.
				s.From(inner.Limit(-1).As("links"))
			}, nil
		}
	}
	return nil, nil
}

// postgresSearchFrom is SearchFrom on PostgreSQL with pg_trgm: the same
// shape, FROM (SELECT * FROM links WHERE <the term's LIKE / ILIKE>
// OFFSET 0) AS links, whose inner query the GIN indexes answer (a bitmap
// OR over the columns). Without it PostgreSQL's planner walks the owner's
// (owner_id, created_at) index for ORDER BY ... LIMIT, expecting matches
// early, and tests every link of a big account for a rare term. OFFSET 0
// keeps it from pulling the subquery up. No probe of the candidates: one
// would cost what it saves.
func postgresSearchFrom(ctx context.Context, client *ent.Client, ownerID int, terms []SearchTerm) (func(*entsql.Selector), error) {
	if !pgTrgm.Load() {
		return nil, nil
	}
	var t *SearchTerm
	for i := range terms {
		if utf8.RuneCountInString(terms[i].Term) >= MinSearchLen {
			t = &terms[i]
			break
		}
	}
	if t == nil {
		return nil, nil
	}
	n, err := LinkCount(ctx, client, ownerID)
	if err != nil || n < SearchScanBelow {
		return nil, err
	}
	cols := searchColumns
	if t.Column != "" {
		cols = []string{t.Column}
	}
	term := *t
	return func(s *entsql.Selector) {
		inner := entsql.Dialect(dialect.Postgres).Select("*").From(entsql.Table("links"))
		preds := make([]*entsql.Predicate, len(cols))
		for i, c := range cols {
			if term.Fold {
				preds[i] = entsql.ContainsFold(inner.C(c), term.Term)
			} else {
				preds[i] = entsql.Contains(inner.C(c), term.Term)
			}
		}
		inner.Where(entsql.Or(preds...)).Offset(0)
		s.From(inner.As("links"))
	}, nil
}

// pgTrgm records that pg_trgm's indexes were set up (setupPostgresLists).
var pgTrgm atomic.Bool

// matchExpr is the FTS5 query for t: the term as one phrase (trigram
// phrases match substrings), limited to its column.
func matchExpr(t SearchTerm) string {
	match := `"` + strings.ReplaceAll(t.Term, `"`, `""`) + `"`
	if t.Column != "" {
		match = "{" + t.Column + "} : " + match
	}
	return match
}

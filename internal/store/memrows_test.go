package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"
)

// TestMemRows reads a RETURNING clause of every SQLite type through the
// batch path and scans it into the destinations database/sql supports.
func TestMemRows(t *testing.T) {
	_, d, _ := openSQLite(t)
	ctx := context.Background()
	if err := d.Exec(ctx, "CREATE TABLE m (id INTEGER PRIMARY KEY, i INTEGER, f REAL, s TEXT, b BLOB, n TEXT, ts DATETIME)", []any{}, nil); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	var res sql.Result
	if err := d.Exec(ctx, "INSERT INTO m (i, f, s, b, ts) VALUES (?, ?, ?, ?, ?)", []any{int64(7), 2.5, "42", []byte("raw"), now}, &res); err != nil {
		t.Fatal(err)
	}
	if id, err := res.LastInsertId(); err != nil || id != 1 {
		t.Errorf("LastInsertId = %d, %v", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Errorf("RowsAffected = %d, %v", n, err)
	}
	rows := &entsql.Rows{}
	if err := d.Query(ctx, "UPDATE m SET i = i + 1 WHERE id = 1 RETURNING id, i, f, s, b, n, ts", []any{}, rows); err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if strings.Join(cols, ",") != "id,i,f,s,b,n,ts" {
		t.Errorf("columns %v", cols)
	}
	if types, err := rows.ColumnTypes(); err != nil || len(types) != 7 {
		t.Errorf("column types %v %v", types, err)
	}
	if !rows.Next() {
		t.Fatal("no row")
	}
	var (
		id    int
		i     uint8
		f     float64
		s     string
		sInt  int64 // "42" as text
		b     []byte
		n     *string
		ns    sql.NullString
		ts    time.Time
		anyV  any
		iBool bool
	)
	if err := rows.Scan(&id, &i, &f, &s, &b, &n, &ts); err != nil {
		t.Fatal(err)
	}
	if id != 1 || i != 8 || f != 2.5 || s != "42" || string(b) != "raw" || n != nil || !ts.Equal(now) {
		t.Errorf("scanned %v %v %v %q %q %v %v", id, i, f, s, b, n, ts)
	}
	if err := rows.Scan(&anyV, &iBool, &f, &sInt, &b, &ns, &ts); err != nil {
		t.Fatal(err)
	}
	if anyV != int64(1) || !iBool || sInt != 42 || ns.Valid {
		t.Errorf("scanned %v %v %v %v", anyV, iBool, sInt, ns)
	}
	var small int8
	var wrong struct{}
	for _, bad := range [][]any{
		{&id, &i, &f, &s, &b, &small, &ts}, // NULL into int8
		{&id, &i, &f, &s, &wrong, &n, &ts}, // blob into a struct
		{&id, &i, &f, &s, &b, &n},          // too few destinations
		{&id, &i, &small, &s, &b, &n, &ts}, // 2.5 into int8
		{id, &i, &f, &s, &b, &n, &ts},      // not a pointer
	} {
		if err := rows.Scan(bad...); err == nil {
			t.Errorf("Scan(%T...) succeeded", bad)
		}
	}
	if rows.Next() {
		t.Error("a second row")
	}
	rows.Close()
	if err := rows.Scan(&id, &i, &f, &s, &b, &n, &ts); err == nil {
		t.Error("Scan after Close succeeded")
	}
}

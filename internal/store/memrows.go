package store

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
)

// memRows are the rows of a write's RETURNING clause, read in full inside
// the batch (the statement must finish before the next one runs) and
// handed to the caller as ent's ColumnScanner. ent's inserts return only the
// id; Scan converts what SQLite returns (int64, float64, string, []byte,
// bool, time.Time, nil) into the usual destinations and refuses anything
// else loudly.
type memRows struct {
	cols   []string
	types  []*sql.ColumnType
	rows   [][]any
	cur    int // 1-based after Next
	closed bool
}

// materialize reads rows to the end and closes them.
func materialize(rows *sql.Rows) (*memRows, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	m := &memRows{cols: cols, types: types}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i] // database/sql copies []byte into *any
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m.rows = append(m.rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return m, rows.Close()
}

func (m *memRows) Close() error                            { m.closed = true; return nil }
func (m *memRows) Columns() ([]string, error)              { return m.cols, nil }
func (m *memRows) ColumnTypes() ([]*sql.ColumnType, error) { return m.types, nil }
func (m *memRows) Err() error                              { return nil }
func (m *memRows) NextResultSet() bool                     { return false }

func (m *memRows) Next() bool {
	if m.closed || m.cur >= len(m.rows) {
		return false
	}
	m.cur++
	return true
}

func (m *memRows) Scan(dest ...any) error {
	if m.closed {
		return errors.New("sql: Rows are closed")
	}
	if m.cur == 0 || m.cur > len(m.rows) {
		return errors.New("sql: Scan called without calling Next")
	}
	row := m.rows[m.cur-1]
	if len(dest) != len(row) {
		return fmt.Errorf("sql: expected %d destination arguments in Scan, not %d", len(row), len(dest))
	}
	for i, d := range dest {
		if err := assign(d, row[i]); err != nil {
			return fmt.Errorf("sql: Scan error on column index %d, name %q: %w", i, m.cols[i], err)
		}
	}
	return nil
}

// assign stores src, a value as database/sql scans it into *any, in dst.
func assign(dst, src any) error {
	switch d := dst.(type) {
	case *any:
		*d = src
		return nil
	case sql.Scanner:
		return d.Scan(src)
	}
	dv := reflect.ValueOf(dst)
	if dv.Kind() != reflect.Pointer || dv.IsNil() {
		return fmt.Errorf("destination not a non-nil pointer: %T", dst)
	}
	dv = dv.Elem()
	if src == nil {
		switch dv.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
			dv.SetZero()
			return nil
		}
		return fmt.Errorf("converting NULL to %s is unsupported", dv.Kind())
	}
	if dv.Kind() == reflect.Pointer {
		p := reflect.New(dv.Type().Elem())
		if err := assign(p.Interface(), src); err != nil {
			return err
		}
		dv.Set(p)
		return nil
	}
	if b, ok := src.([]byte); ok {
		src = string(b) // numbers and text may arrive as bytes
		if dv.Kind() == reflect.Slice && dv.Type().Elem().Kind() == reflect.Uint8 {
			dv.SetBytes(append([]byte(nil), b...))
			return nil
		}
	}
	sv := reflect.ValueOf(src)
	if t, ok := src.(time.Time); ok && dv.Type() == reflect.TypeFor[time.Time]() {
		dv.Set(reflect.ValueOf(t))
		return nil
	}
	switch dv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := toInt(sv)
		if err != nil {
			return err
		}
		if dv.OverflowInt(n) {
			return fmt.Errorf("converting %v to %s: value out of range", src, dv.Type())
		}
		dv.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := toInt(sv)
		if err != nil {
			return err
		}
		if n < 0 || dv.OverflowUint(uint64(n)) {
			return fmt.Errorf("converting %v to %s: value out of range", src, dv.Type())
		}
		dv.SetUint(uint64(n))
		return nil
	case reflect.Float32, reflect.Float64:
		switch sv.Kind() {
		case reflect.Float64, reflect.Int64:
			f := sv.Convert(reflect.TypeFor[float64]()).Float()
			if dv.Kind() == reflect.Float32 && math.Abs(f) > math.MaxFloat32 {
				return fmt.Errorf("converting %v to float32: value out of range", src)
			}
			dv.SetFloat(f)
			return nil
		case reflect.String:
			f, err := strconv.ParseFloat(sv.String(), 64)
			if err != nil {
				return fmt.Errorf("converting %q to %s: %w", sv.String(), dv.Type(), err)
			}
			dv.SetFloat(f)
			return nil
		}
	case reflect.String:
		switch sv.Kind() {
		case reflect.String:
			dv.SetString(sv.String())
			return nil
		case reflect.Int64:
			dv.SetString(strconv.FormatInt(sv.Int(), 10))
			return nil
		}
	case reflect.Bool:
		switch sv.Kind() {
		case reflect.Bool:
			dv.SetBool(sv.Bool())
			return nil
		case reflect.Int64:
			dv.SetBool(sv.Int() != 0)
			return nil
		}
	}
	return fmt.Errorf("unsupported Scan, storing %T into %T", src, dst)
}

func toInt(sv reflect.Value) (int64, error) {
	switch sv.Kind() {
	case reflect.Int64:
		return sv.Int(), nil
	case reflect.String:
		n, err := strconv.ParseInt(sv.String(), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("converting %q to an integer: %w", sv.String(), err)
		}
		return n, nil
	case reflect.Float64:
		f := sv.Float()
		if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			return 0, fmt.Errorf("converting %v to an integer: not an integer", f)
		}
		return int64(f), nil
	case reflect.Bool:
		if sv.Bool() {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("converting %s to an integer is unsupported", sv.Type())
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver FerretDB itself links
)

// These mirror FerretDB v1.24.0's SQLite backend (internal/backends/sqlite/metadata): each
// database is a file "<database>.sqlite"; each collection is a table whose name is listed in
// _ferretdb_collections and whose documents sit, as JSON, in the column _ferretdb_sjson.
// FerretDB's own unique _id index is on `_ferretdb_sjson->"_id"`, but every _id point query it
// issues (find, update, delete, findAndModify) filters on idExpr, and SQLite matches index
// expressions textually, so without an index on idExpr itself each of them scans the table.
const (
	sqliteExt         = ".sqlite"
	collectionsTable  = "_ferretdb_collections"
	documentColumn    = "_ferretdb_sjson"
	idExpr            = documentColumn + "->'$._id'"
	idIndexSuffix     = "_plenary_id"
	sqliteBusyTimeout = "busy_timeout(10000)" // FerretDB's own value: it holds write locks too
)

// sqliteFile returns the SQLite file FerretDB keeps database dbName in.
func sqliteFile(dir, dbName string) string {
	return filepath.Join(dir, dbName+sqliteExt)
}

// EnsureIDIndexes adds the _id expression index FerretDB's SQLite handler lacks to every
// collection table of this database, including collections not declared in Config. Open calls it;
// call it again only after creating collections at run time. It is a no-op on MongoDB.
func (s *Store) EnsureIDIndexes(ctx context.Context) error {
	if s.kind != KindEmbedded {
		return nil
	}
	db, ok, err := openSQLite(s.sqlitePath)
	if err != nil || !ok {
		return err // !ok: no collection yet, so FerretDB has not created the file
	}
	defer db.Close()

	tables, err := collectionTables(ctx, db)
	if err != nil {
		return err
	}
	for _, t := range tables {
		q := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)",
			quoteIdent(t.table+idIndexSuffix), quoteIdent(t.table), idExpr)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("add _id index to %s (table %s): %w", t.name, t.table, err)
		}
	}
	return nil
}

// QueryPlan returns SQLite's EXPLAIN QUERY PLAN, one step per line, for the statement FerretDB
// runs to find a document of collection by _id. With the _id index in place it reads
// "SEARCH <table> USING INDEX <table>_plenary_id (<expr>=?)"; a "SCAN <table>" means every _id
// operation on that collection reads the whole table. It exists so tests can assert the index is
// used; it fails on MongoDB.
func (s *Store) QueryPlan(ctx context.Context, collection string) (string, error) {
	return s.explain(ctx, collection, func(table string) string {
		return fmt.Sprintf("SELECT %s FROM %s WHERE %s = ?", documentColumn, table, idExpr)
	})
}

// explain runs EXPLAIN QUERY PLAN for the statement shape builds from the quoted table name of
// collection. Every ? in the statement is bound to a JSON string, which is how FerretDB binds both
// documents and string _ids.
func (s *Store) explain(ctx context.Context, collection string, shape func(table string) string) (string, error) {
	if s.kind != KindEmbedded {
		return "", fmt.Errorf("query plan of %s: only the embedded store has one", collection)
	}
	db, ok, err := openSQLite(s.sqlitePath)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("query plan of %s: database file %s does not exist", collection, s.sqlitePath)
	}
	defer db.Close()

	var table string
	err = db.QueryRowContext(ctx,
		fmt.Sprintf("SELECT table_name FROM %s WHERE name = ?", quoteIdent(collectionsTable)), collection).Scan(&table)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("query plan of %s: no such collection", collection)
	}
	if err != nil {
		return "", fmt.Errorf("query plan of %s: %w", collection, err)
	}

	q := shape(quoteIdent(table))
	args := make([]any, strings.Count(q, "?"))
	for i := range args {
		args[i] = `"plan-probe"`
	}
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", fmt.Errorf("query plan of %s: %w", collection, err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			return "", fmt.Errorf("query plan of %s: %w", collection, err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("query plan of %s: %w", collection, err)
	}
	return strings.Join(steps, "\n"), nil
}

type collectionTable struct{ name, table string }

// collectionTables lists the collections of a FerretDB SQLite database with their tables.
func collectionTables(ctx context.Context, db *sql.DB) ([]collectionTable, error) {
	rows, err := db.QueryContext(ctx,
		fmt.Sprintf("SELECT name, table_name FROM %s ORDER BY name", quoteIdent(collectionsTable)))
	if err != nil {
		return nil, fmt.Errorf("list ferretdb collections: %w", err)
	}
	defer rows.Close()
	var out []collectionTable
	for rows.Next() {
		var t collectionTable
		if err := rows.Scan(&t.name, &t.table); err != nil {
			return nil, fmt.Errorf("list ferretdb collections: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list ferretdb collections: %w", err)
	}
	return out, nil
}

// openSQLite opens a FerretDB database file next to FerretDB's own connections. ok is false when
// the file does not exist; mode=rw keeps us from creating an empty one FerretDB would then find.
func openSQLite(path string) (_ *sql.DB, ok bool, _ error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("open %s: %w", path, err)
	}
	dsn := (&url.URL{
		Scheme:   "file",
		Path:     filepath.ToSlash(path),
		RawQuery: url.Values{"mode": {"rw"}, "_pragma": {sqliteBusyTimeout}}.Encode(),
	}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, false, fmt.Errorf("open %s: %w", path, err)
	}
	return db, true, nil
}

// quoteIdent quotes a SQLite identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

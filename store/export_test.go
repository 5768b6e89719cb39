package store

import (
	"context"
	"fmt"
)

// UpdatePlan is QueryPlan for the statement FerretDB runs for updateOne/replaceOne by _id.
func (s *Store) UpdatePlan(ctx context.Context, collection string) (string, error) {
	return s.explain(ctx, collection, func(table string) string {
		return fmt.Sprintf("UPDATE %s SET %s = ? WHERE %s = ?", table, documentColumn, idExpr)
	})
}

// DeletePlan is QueryPlan for the statement FerretDB runs for deleteOne by _id.
func (s *Store) DeletePlan(ctx context.Context, collection string) (string, error) {
	return s.explain(ctx, collection, func(table string) string {
		return fmt.Sprintf("DELETE FROM %s WHERE %s IN (?)", table, idExpr)
	})
}

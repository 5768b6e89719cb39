package rooms

import (
	"slices"
	"strings"

	"plenary/check"
)

func sortByName[T any](items []T, name func(T) string) {
	slices.SortStableFunc(items, func(a, b T) int {
		return strings.Compare(strings.ToLower(name(a)), strings.ToLower(name(b)))
	})
}

func checkRole(field, role string) error {
	return check.OneOf(field, role, RoleChair, RoleMember, RoleObserver)
}

package storetest_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"plenary/store"
	"plenary/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// ferretDBName is FerretDB's databaseNameRe.
var ferretDBName = regexp.MustCompile("^[a-zA-Z0-9_-]{1,63}$")

func TestDatabaseName(t *testing.T) {
	tests := []struct {
		name string
		n    int64
		want string
	}{
		{"TestX", 1, "TestX_1"},
		{"TestX/sub case/ü.ñ", 12, "TestX_sub_case_____12"},
		{strings.Repeat("a", 100), 7, strings.Repeat("a", 61) + "_7"},
	}
	for _, tt := range tests {
		got := storetest.DatabaseName(tt.name, tt.n)
		if got != tt.want {
			t.Errorf("DatabaseName(%q, %d) = %q, want %q", tt.name, tt.n, got, tt.want)
		}
		if !ferretDBName.MatchString(got) {
			t.Errorf("DatabaseName(%q, %d) = %q, not a valid FerretDB database name", tt.name, tt.n, got)
		}
	}
}

func TestMustOpenGivesEachTestItsOwnDatabase(t *testing.T) {
	coll := store.Collection{Name: "things"}
	var names []string
	for _, sub := range []string{"a", "b"} {
		t.Run(sub, func(t *testing.T) {
			s := storetest.MustOpen(t, coll)
			names = append(names, s.DB().Name())
			// The same _id in both subtests: no collision because the databases differ.
			if _, err := s.Collection("things").InsertOne(t.Context(), bson.D{{Key: "_id", Value: "same"}}); err != nil {
				t.Fatal(err)
			}
			plan, err := s.QueryPlan(t.Context(), "things")
			if err != nil || !strings.Contains(plan, "USING INDEX") {
				t.Errorf("plan = %q, %v; want USING INDEX", plan, err)
			}
		})
	}
	if len(names) != 2 || names[0] == names[1] {
		t.Errorf("database names %v, want two distinct", names)
	}
}

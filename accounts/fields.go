package accounts

import (
	"plenary/check"
	"plenary/id"
	"plenary/store"
)

func checkEmail(email string) (string, error) { return check.Email("email", email) }

func checkName(name string) (string, error) { return check.Text("name", name, 1, 200, false) }

func newID() string { return id.New() }

func isDuplicate(err error) bool { return store.IsDuplicateKey(err) }

package meetings

import (
	"os"
	"testing"

	"plenary/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

package mock_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/moneykit-mock/moneykit-mock/mock"
)

// The whole mock in a test, with one link of your own and a pinned clock:
// no files, no ports to choose, no second process.
func Example() {
	m, err := mock.New(mock.Options{
		Scenarios: []byte("links:\n  mk_gone: {error: deleted}\n"),
		Clock:     time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(m)
	defer srv.Close()

	for _, link := range []string{"mk_gone", "mk_demo"} {
		req, _ := http.NewRequest("GET", srv.URL+"/links/"+link+"/identity", nil)
		req.Header.Set("Authorization", "Bearer "+mock.StaticToken)
		resp, err := srv.Client().Do(req)
		if err != nil {
			log.Fatal(err)
		}
		var body struct {
			ErrorCode string `json:"error_code"`
			Accounts  []struct {
				Owners []struct{ Names []string }
			}
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			fmt.Println(link, resp.StatusCode, body.ErrorCode)
			continue
		}
		fmt.Println(link, resp.StatusCode, body.Accounts[0].Owners[0].Names[0])
	}
	// Output:
	// mk_gone 410 link_error.deleted
	// mk_demo 200 Kaya Kiehn
}

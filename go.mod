module github.com/moneykit-mock/moneykit-mock

go 1.24.0

require (
	github.com/brianvoe/gofakeit/v6 v6.28.0
	github.com/gorilla/mux v1.8.1
)

require gopkg.in/yaml.v3 v3.0.1

require github.com/golang-jwt/jwt/v5 v5.3.1

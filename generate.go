package main

// Generation runs ent (with entgql) first, then gqlgen over graph/*.graphql.
//go:generate go run -mod=mod ./ent/entc.go
//go:generate go tool gqlgen generate

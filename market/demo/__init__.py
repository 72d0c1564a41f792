"""`flask --app market seed-demo`: the demo city, idempotent (running it twice adds nothing)."""

"""Our own API, `/v1`: pydantic request and answer models, the resolver's set-up and error answers."""

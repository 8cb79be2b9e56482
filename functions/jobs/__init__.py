"""Long work as jobs: exports, offboarding and on-demand assessment runs answer `202` at once with
`Location: /v1/jobs/{id}`, and a worker fed by a queue does the work, reporting progress."""

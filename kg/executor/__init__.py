"""Where queries run, under a time limit that really stops them.

pyoxigraph's Store.query has no timeout, and a query can spin without touching the store (a VALUES
cross product), so a thread cannot be stopped from outside. The service therefore evaluates every
query — and serialises its result — in a worker process that holds the on-disk store open
read-only (`Store.read_only(path)`). A worker that runs past the limit is killed (SIGKILL) and a new
one takes its place; the caller gets QueryTimeout before any byte of a result exists. A worker also
has an address-space cap (`Limits.memory`), so a query that tries to materialise too much dies
instead of the machine.

    pool = ProcessPool("kg-store", Limits(timeout=30))
    answer = pool.run(kg.querying.answers.sparql_query, query_text, ...)   # fn(ctx, *args) in a worker

Jobs are module-level functions `fn(ctx: Context, *args)` returning picklable values; exceptions
they raise come back to the caller as the same exception type when they can be pickled.

From an event loop, `await pool.arun(fn, ...)` does the same without a thread: the job goes down
the worker's pipe and the loop waits for the reply on the pipe's socket (the async handlers of
/sparql and /api/<name> use it: no thread hop, no lock handed between threads per query). Writes
bump `version` (`exclusive()`), which api/middleware/cache.py keys its kept answers by.

`InlineExecutor` runs jobs in the calling thread over any Store (an in-memory store in tests, or
`kg serve --isolation thread`): the limit is then checked between result rows, which stops a
query that streams results but not one that blocks inside pyoxigraph (an aggregate over a cross
product). The real server uses the process pool.

Workers never read files a writer is changing ("opening as read-only while another process writes
is undefined behaviour", says pyoxigraph). A read-only server holds the store's lock
(`hold_store_lock`), so no `kg load` writes under it. A server that takes writes (token-gated, see
api/routers/writes.py) runs them in its write worker (`Writer`: the one process holding the store
read-write, each write under a time limit and a memory cap), and its query workers — and the
server's own reads — read a checkpoint of it (`Checkpoint`: hard links, made in milliseconds),
remade after each write inside `writing()`: queries go on over the old checkpoint meanwhile, then
fresh workers open the new one before the write is answered — so every query after it sees it.

Modules: limits (Limits, Context), inline (InlineExecutor), worker (the worker process), pool
(ProcessPool), views (Checkpoint, DiskCopy, hold_store_lock), share (Shares), writer (Writer)."""

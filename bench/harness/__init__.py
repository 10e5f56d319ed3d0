"""What every measurement shares, so that each file under bench/ holds only its measurement.

- `env`: paths, the PostgreSQL and Redis the bench uses, fixed secrets, child environments;
- `database`: bench databases created fresh and dropped, a scratch test database;
- `cpu`: who used the CPU (from /proc), waiting for a quiet machine, a CPU speed check;
- `gunicorn`: the portal under gunicorn, started with the product's settings;
- `http`: HTTP/1.1 over raw sockets; `load`: client processes that post at a server;
- `signin`: the real staff sign-in (password, then TOTP), for in-process page requests;
- `pages`: timing staff pages with Django's test client, in alternating rounds;
- `sql`: queries per request and their time, EXPLAIN summaries;
- `profile`: cProfile breakdowns; `report`: percentiles and the printed rows.
"""

"""REST resource routes, each declared by a trusted GraphQL operation carrying `@rest`.

`declaration` reads a route from its operation, `inputs` turns a request into the
operation's variables, `answers` turns the GraphQL result into the REST answer (every
status mapping in one place), `endpoint` serves the routes through the GraphQL handler's
own authorization, cost limits and executor.
"""

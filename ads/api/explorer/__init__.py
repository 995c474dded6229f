"""The GraphiQL explorer of `/graphql`, served by the app itself: offline and signed in."""

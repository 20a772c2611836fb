"""The demo town, on top of every app: `sportello demo` calls each app's `demo` module in order."""

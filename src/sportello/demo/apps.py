from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models: the `demo` command, and the order in which the apps build the demo town."""

    name = "sportello.demo"
    label = "demo"

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models: the `demo` command (the order in which the apps build the demo town) and
    `serve`, the whole local system in one command, which prints the demo logins."""

    name = "sportello.demo"
    label = "demo"

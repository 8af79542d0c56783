"""Piccolo's configuration: our engine and our one app (PICCOLO_CONF points here)."""

from piccolo.conf.apps import AppRegistry

from fablab.platform.db import DB

APP_REGISTRY = AppRegistry(apps=["fablab.piccolo_app"])

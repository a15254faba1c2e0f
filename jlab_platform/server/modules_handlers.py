"""``/modules``, ``/datasets``, ``/favorites``: the library of modules and datasets."""

import asyncio
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.auth.identity import IdentityProvider, LegacyIdentityProvider, PasswordIdentityProvider
from tornado import web

from ..errors import InvalidInput
from ..modules import InvalidParams, ModuleService
from .base import ApiHandler

# jupyter_server's own token and password logins make up a new random user at each login.
_PER_LOGIN_PROVIDERS = (IdentityProvider, PasswordIdentityProvider, LegacyIdentityProvider)


class ModulesBase(ApiHandler):
    @property
    def modules(self) -> ModuleService:
        return self.platform.modules

    @property
    def username(self) -> str:
        """Whose favorites: the identity provider's user (JupyterHub's, say), or the server's
        owner when the provider makes up a user at each login."""
        if type(self.identity_provider) in _PER_LOGIN_PROVIDERS:
            return self.modules.owner
        return str(self.current_user.username)

    def refresh_requested(self) -> bool:
        return self.get_query_argument("refresh", "") in ("1", "true")


class ModulesHandler(ModulesBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        if self.refresh_requested():
            self.modules.refresh()
        modules = await asyncio.to_thread(self.modules.list_modules, self.username)
        self.send_json({"modules": modules, "total": len(modules)})


class ModuleHandler(ModulesBase):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send_json(await asyncio.to_thread(self.modules.get_module, name, self.username))


class ModuleSnippetHandler(ModulesBase):
    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        body = self.json_body()
        action, params = body.get("action"), body.get("params", {})
        if not isinstance(action, str) or not action:
            raise InvalidInput("Missing 'action'", 'Send {"action": "train" or "predict", "params": {...}}.')
        if not isinstance(params, dict):
            raise InvalidInput("'params' must be an object", 'Send {"params": {"epochs": 5, ...}}.')
        options: dict[str, Any] = {}
        for key in ("notebook", "base_dir"):
            value = body.get(key)
            if value is not None and not isinstance(value, str):
                raise InvalidInput(f"'{key}' must be a path string", f"Got {type(value).__name__}.")
            options[key] = value
        for key in ("record", "script"):
            flag = body.get(key, False)
            if not isinstance(flag, bool):
                raise InvalidInput(f"'{key}' must be true or false", f"Got {flag!r}.")
            options[key] = flag
        try:
            result = await asyncio.to_thread(self.modules.snippet, name, action, params, **options)
        except InvalidParams as exc:
            # The form shows each message next to its field.
            self.send_json({"error": exc.message, "detail": exc.detail, "fields": exc.fields}, 400)
            return
        self.send_json(result)


class DatasetsHandler(ModulesBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        if self.refresh_requested():
            self.modules.refresh()
        datasets = await asyncio.to_thread(self.modules.list_datasets, self.username)
        self.send_json({"datasets": datasets, "total": len(datasets)})


class DatasetHandler(ModulesBase):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send_json(await asyncio.to_thread(self.modules.get_dataset, name, self.username))


class FavoriteHandler(ModulesBase):
    @web.authenticated
    @authorized
    async def put(self, kind: str, name: str) -> None:
        self.send_json(await asyncio.to_thread(self.modules.set_favorite, self.username, kind, name, True))

    @web.authenticated
    @authorized
    async def delete(self, kind: str, name: str) -> None:
        await asyncio.to_thread(self.modules.set_favorite, self.username, kind, name, False)
        self.set_status(204)
        self.finish()


MODULE_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("modules", ModulesHandler),
    (r"modules/(?P<name>[^/]+)", ModuleHandler),
    (r"modules/(?P<name>[^/]+)/snippet", ModuleSnippetHandler),
    ("datasets", DatasetsHandler),
    (r"datasets/(?P<name>[^/]+)", DatasetHandler),
    (r"favorites/(?P<kind>[^/]+)/(?P<name>[^/]+)", FavoriteHandler),
]

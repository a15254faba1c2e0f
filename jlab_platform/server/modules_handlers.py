"""``/modules``, ``/datasets``, ``/favorites``: the library of modules and datasets."""

import asyncio

from jupyter_server.auth.identity import IdentityProvider, LegacyIdentityProvider, PasswordIdentityProvider

from ..modules import ModuleService
from ..modules.models import (
    Dataset,
    DatasetList,
    Favorite,
    Module,
    ModuleList,
    RefreshQuery,
    Snippet,
    SnippetRequest,
)
from .base import ApiHandler
from .endpoint import endpoint

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


class ModulesHandler(ModulesBase):
    @endpoint("The modules of the library", query=RefreshQuery, response=ModuleList)
    async def get(self, query: RefreshQuery) -> ModuleList:
        if query.refresh:
            self.modules.refresh()
        return await asyncio.to_thread(self.modules.list_modules, self.username)


class ModuleHandler(ModulesBase):
    @endpoint("One module with its spec, readme and requirements", response=Module)
    async def get(self, name: str) -> Module:
        return await asyncio.to_thread(self.modules.get_module, name, self.username)


class ModuleSnippetHandler(ModulesBase):
    @endpoint(
        "The code that calls one of the module's actions with these inputs",
        body=SnippetRequest,
        response=Snippet,
        description="Invalid inputs answer 400 with `fields`: each input's name and what to fix.",
    )
    async def post(self, name: str, body: SnippetRequest) -> Snippet:
        return await asyncio.to_thread(
            self.modules.snippet,
            name,
            body.action,
            body.params,
            notebook=body.notebook,
            base_dir=body.base_dir,
            record=body.record,
            script=body.script,
        )


class DatasetsHandler(ModulesBase):
    @endpoint("The datasets of the library", query=RefreshQuery, response=DatasetList)
    async def get(self, query: RefreshQuery) -> DatasetList:
        if query.refresh:
            self.modules.refresh()
        return await asyncio.to_thread(self.modules.list_datasets, self.username)


class DatasetHandler(ModulesBase):
    @endpoint("One dataset with its readme", response=Dataset)
    async def get(self, name: str) -> Dataset:
        return await asyncio.to_thread(self.modules.get_dataset, name, self.username)


class FavoriteHandler(ModulesBase):
    @endpoint("Star a module or dataset (kind: module or dataset)", response=Favorite)
    async def put(self, kind: str, name: str) -> Favorite:
        return await asyncio.to_thread(self.modules.set_favorite, self.username, kind, name, True)

    @endpoint("Remove a star", status=204)
    async def delete(self, kind: str, name: str) -> None:
        await asyncio.to_thread(self.modules.set_favorite, self.username, kind, name, False)


MODULE_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("modules", ModulesHandler),
    (r"modules/(?P<name>[^/]+)", ModuleHandler),
    (r"modules/(?P<name>[^/]+)/snippet", ModuleSnippetHandler),
    ("datasets", DatasetsHandler),
    (r"datasets/(?P<name>[^/]+)", DatasetHandler),
    (r"favorites/(?P<kind>[^/]+)/(?P<name>[^/]+)", FavoriteHandler),
]

/** The modules and datasets REST calls: the catalog, one item, favorites and the code calling a module. */
import { postAPI, requestAPI } from '../api';
import type { components } from '../api/schema';
import type {
  IDatasetDetail,
  IDatasetSummary,
  IModuleDetail,
  IModuleSummary,
  ISnippet,
  ISnippetRequest,
  ItemKind
} from './model';

type Schemas = components['schemas'];

function catalogPath(collection: 'modules' | 'datasets', name: string, ...rest: string[]): string {
  return [collection, encodeURIComponent(name), ...rest].join('/');
}

export const modulesApi = {
  /** `refresh` also forgets cached specs and looks at installed packages again. */
  listModules: async (refresh = false): Promise<IModuleSummary[]> =>
    (await requestAPI<Schemas['ModuleList']>(`modules${refresh ? '?refresh=1' : ''}`)).modules,
  getModule: (name: string): Promise<IModuleDetail> => requestAPI<IModuleDetail>(catalogPath('modules', name)),
  listDatasets: async (refresh = false): Promise<IDatasetSummary[]> =>
    (await requestAPI<Schemas['DatasetList']>(`datasets${refresh ? '?refresh=1' : ''}`)).datasets,
  getDataset: (name: string): Promise<IDatasetDetail> => requestAPI<IDatasetDetail>(catalogPath('datasets', name)),
  setFavorite: async (kind: ItemKind, name: string, favorite: boolean): Promise<void> => {
    await requestAPI<Schemas['Favorite']>(`favorites/${kind}/${encodeURIComponent(name)}`, {
      method: favorite ? 'PUT' : 'DELETE'
    });
  },
  /** The code calling the module; an `ApiError` whose `fields` say what to fix in each input. */
  snippet: (name: string, body: ISnippetRequest): Promise<ISnippet> =>
    postAPI<ISnippet>(catalogPath('modules', name, 'snippet'), body)
};

import { createStore } from "zustand/vanilla";
import type { JobFilter, JobState, JobType, Page } from "../../../shared/job";

export const PAGE_SIZE = 50;

/** One sorted column; the same shape as @tanstack/react-table's SortingState entries. */
export interface ColumnSort {
  id: string;
  desc: boolean;
}

export interface FiltersState {
  teamId: string | undefined;
  /** A state: CANCELLED and FAILED are told apart (jobStateOf). */
  status: JobState | undefined;
  type: JobType | undefined;
  search: string;
  offset: number;
  limit: number;
  /**
   * Sorting applies within the current page (client-side): the API always returns jobs
   * newest first and pages them on the server, which keeps 10,000 jobs cheap to browse.
   */
  sorting: ColumnSort[];
  /** Teams the caller can pick from (listTeams). */
  teams: string[];
  setTeam(teamId: string | undefined): void;
  setStatus(status: JobState | undefined): void;
  setType(type: JobType | undefined): void;
  setSearch(search: string): void;
  setSorting(sorting: ColumnSort[]): void;
  setTeams(teams: string[]): void;
  goToOffset(offset: number): void;
  clearFilters(): void;
}

export type FiltersStore = ReturnType<typeof createFiltersStore>;

/** Filters, sort and paging of the jobs table; any filter change goes back to the first page. */
export function createFiltersStore() {
  return createStore<FiltersState>()((set) => ({
    teamId: undefined,
    status: undefined,
    type: undefined,
    search: "",
    offset: 0,
    limit: PAGE_SIZE,
    sorting: [],
    teams: [],
    setTeam: (teamId) => set({ teamId, offset: 0 }),
    setStatus: (status) => set({ status, offset: 0 }),
    setType: (type) => set({ type, offset: 0 }),
    setSearch: (search) => set({ search, offset: 0 }),
    setSorting: (sorting) => set({ sorting }),
    setTeams: (teams) => set({ teams }),
    goToOffset: (offset) => set({ offset: Math.max(0, offset) }),
    clearFilters: () => set({ status: undefined, type: undefined, search: "", offset: 0 }),
  }));
}

export interface ListQuery {
  filter: JobFilter;
  page: Page;
}

/** The listJobs input for the current filters (blank values left out). */
export function listQueryOf(state: Pick<FiltersState, "teamId" | "status" | "type" | "search" | "offset" | "limit">): ListQuery {
  const search = state.search.trim();
  return {
    filter: {
      ...(state.teamId ? { teamId: state.teamId } : {}),
      ...(state.status ? { status: state.status } : {}),
      ...(state.type ? { type: state.type } : {}),
      ...(search ? { search } : {}),
    },
    page: { offset: state.offset, limit: state.limit },
  };
}

export function hasActiveFilters(state: Pick<FiltersState, "status" | "type" | "search">): boolean {
  return Boolean(state.status || state.type || state.search.trim());
}

/** One page-view event, as Papermark's `page_views` data source records it. */
export interface PageViewEvent {
  viewId: string;
  documentId: string;
  dataroomId?: string;
  versionNumber: number;
  pageNumber: number;
  /** Event time, ms since epoch. */
  time: number;
  /** Time spent on the page, ms. */
  duration: number;
}

/** User agent and geo of one view, as the useragent pipes return it. */
export interface ViewUserAgent {
  viewId: string;
  documentId?: string;
  country: string;
  city: string;
  browser: string;
  os: string;
  device: string;
  /** Which pipe knows it: v3 (current) or only the older v2. */
  source: "v3" | "v2";
}

export interface EmulatorData {
  pageViews: PageViewEvent[];
  userAgents: ViewUserAgent[];
}

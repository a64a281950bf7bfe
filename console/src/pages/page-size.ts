/** Rows per page: a laptop screen's worth, and a cheap request. */
export const PAGE_SIZE = 25;

// The "load more" control under a cursor-paged list.
export function LoadMore({ hasMore, loading, onClick, label = 'Load more' }: { hasMore: boolean; loading: boolean; onClick: () => void; label?: string }) {
  if (!hasMore) return null;
  return (
    <div className="load-more">
      <button type="button" className="button" onClick={onClick} disabled={loading} data-testid="load-more">
        {loading ? 'Loading…' : label}
      </button>
    </div>
  );
}

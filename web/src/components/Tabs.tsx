/** A row of tabs (one view of a page at a time). */
export function Tabs<T extends string>({
  value,
  onChange,
  tabs,
  testId,
}: {
  value: T;
  onChange: (v: T) => void;
  tabs: { id: T; label: string }[];
  testId?: string;
}) {
  return (
    <div className="tabs" role="tablist" data-testid={testId}>
      {tabs.map((tab) => (
        <button
          key={tab.id}
          type="button"
          role="tab"
          aria-selected={tab.id === value}
          className={'tab' + (tab.id === value ? ' active' : '')}
          onClick={() => onChange(tab.id)}
          data-testid={`tab-${tab.id}`}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

export function KpiCard({
  label,
  value,
  note,
  testId,
  accent,
}: {
  label: string;
  value: string;
  note?: string;
  testId: string;
  accent?: boolean;
}) {
  return (
    <div className={'kpi' + (accent ? ' kpi-accent' : '')}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value" data-testid={testId}>
        {value}
      </div>
      {note && <div className="kpi-note">{note}</div>}
    </div>
  );
}

use super::*;

#[test]
fn creates_then_reopens_an_index_with_the_current_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    let first = ArchiveIndex::open_or_create(&path).unwrap();
    assert_eq!(first.state(), IndexState::Created);
    assert_eq!(first.document_count().unwrap(), 0);
    drop(first);
    let second = ArchiveIndex::open_or_create(&path).unwrap();
    assert_eq!(second.state(), IndexState::Current);
}

#[test]
fn an_index_with_another_schema_version_is_set_aside_and_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    drop(ArchiveIndex::open_or_create(&path).unwrap());
    std::fs::write(path.join(VERSION_FILE), "0").unwrap();
    let reopened = ArchiveIndex::open_or_create(&path).unwrap();
    assert_eq!(
        reopened.state(),
        IndexState::Recreated {
            previous_version: Some(0)
        }
    );
}

#[test]
fn archive_index_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ArchiveIndex>();
}

#[test]
fn calendar_days_round_trip_through_tantivy_dates() {
    let day = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    assert_eq!(from_tantivy_date(to_tantivy_date(day)), Some(day));
}

"""Data folders on a network share or in a cloud-synced folder are refused with the reason."""

from pathlib import Path

import pytest

from mappa_desktop.paths import unsafe_location

MOUNTS = """\
/dev/vda1 / ext4 rw,relatime 0 0
//fileserver/mappa /mnt/share cifs rw 0 0
server:/export /srv/nfs nfs4 rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


@pytest.mark.parametrize("folder, reason", [
    ("/home/lorna/.local/share/MAPPA Desktop", None),
    ("/mnt/share/MAPPA Desktop", "network share (cifs)"),
    ("/srv/nfs/deep/down", "network share (nfs4)"),
    ("/home/lorna/OneDrive - Forthside Council/MAPPA", "cloud-synced"),
    ("/home/lorna/Dropbox/mappa", "cloud-synced"),
    ("/Users/lorna/Library/Mobile Documents/iCloud Drive/x", "cloud-synced"),
    ("/home/lorna/Documents/dropboxes-not-cloud", None),
])
def test_network_and_cloud_folders_are_refused(folder, reason):
    result = unsafe_location(Path(folder), mounts_text=MOUNTS)
    if reason is None:
        assert result is None
    else:
        assert reason in result


def test_init_refuses_a_cloud_folder(tmp_path):
    import io

    from mappa_desktop.cli import build_parser, run_command

    folder = tmp_path / "OneDrive" / "mappa"
    args = build_parser().parse_args(["init", "--data-dir", str(folder), "--user", "Ann", "--agency", "P"])
    err = io.StringIO()
    assert run_command(args, io.StringIO("granite otter lantern violet\n"), io.StringIO(), err) == 1
    assert "cloud-synced" in err.getvalue()
    assert not folder.exists()

"""VICS documents shaped like public exports, with synthetic values (no real hashes)."""

from __future__ import annotations

import json

MD5_A = "ADEBF3FA3C9BE7F73825E1CB9E2DEA09"
SHA1_A = "2B037F69C566DFDB3A5A79E5360D085959BDDE4C"
MD5_B = "0123456789ABCDEF0123456789ABCDEF"
PDNA_B64 = "AAEC" * 48  # 144 bytes in base64


def default_hash_set() -> bytes:
    """A ``Default``-profile hash set as national portals distribute them."""
    doc = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media",
        "value": [
            {
                "MediaID": 1,
                "Category": 0,
                "MD5": MD5_A,
                "SHA1": SHA1_A,
                "MediaSize": 2835,
                "DateUpdated": "2023-06-07T02:31:49.8300Z",
                "IsPrecategorized": "true",
            }
        ],
    }
    return json.dumps(doc).encode()


def qt_case_13() -> bytes:
    """A VICS 1.3 case as a Qt exporter writes it: keys sorted, integers as strings,
    navigation links, the case fields after the media."""
    media = {
        "AlternativeHashes": [
            {
                "HashName": "SHA1",
                "HashValue": SHA1_A,
                "MD5": MD5_A,
                "Media@odata.navigationLinkUrl": (
                    f"AlternativeHashes(HashName='SHA1',MD5={MD5_A})/Media"
                ),
            }
        ],
        "AlternativeHashes@odata.navigationLinkUrl": f"/Media({MD5_A})/AlternativeHashes",
        "Accessed": "2019-01-02T03:04:05",
        "Category": "",
        "Exifs": [],
        "FileName": "IMG_0001.JPG",
        "MD5": MD5_A,
        "MediaFiles": [
            {"FilePath": "DCIM\\100APPLE\\IMG_0001.JPG", "MD5": MD5_A, "SourceID": "exhibit-1"}
        ],
        "MediaID": 0,
        "MediaSize": "2835",
        "MimeType": "image/jpeg",
        "RelativeFilePath": "DCIM\\100APPLE\\IMG_0001.JPG",
        "SHA1": SHA1_A,
        "odata.id": f'Media("{MD5_A}")',
    }
    case = {
        "Agency": "Example Constabulary",
        "Case No.": "CASE-42",
        "Examiner": "A. Examiner",
        "Media": [media],
        "SourceApplicationName": "Exporter",
        "TotalMediaFiles": "7",
    }
    return json.dumps(
        {
            "odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases",
            "value": [case],
        }
    ).encode()


def uk_case_20() -> bytes:
    """A VICS 2.0 UK case as a C exporter writes it: CRLF and tabs, flags as strings, seven
    fractional digits, Windows paths, media metadata and a segment."""
    return (
        '{\r\n\t"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases",\r\n\t'
        '"value":[{"CaseID":"{0A1B2C3D-0000-0000-0000-000000000001}",\r\n\t"CaseNumber":"UK/2024/1",\r\n\t'
        '"ContactOrganization":"Example Police",\r\n\t"SourceApplicationName":"Exporter",\r\n\t'
        '"SourceApplicationVersion":"1.51",\r\n\t"Media":[{\n\t\t"MediaID":3,\n\t\t"Category":2,'
        f'\n\t\t"MD5":"{MD5_B}","VictimIdentified":"true","IsDistributed":"true",'
        '"Series":"Series X",'
        '"DateUpdated":"2024-01-02T03:04:05.000+01:00Z","MediaSize":1234,'
        '"RelativeFilePath":"Files\\\\0123.jpg","IsPrecategorized":"true",'
        f'"PhotoDNA":"{PDNA_B64}",'
        '"MediaFiles":[\t\t\t{"MD5":"' + MD5_B + '",\r\t\t\t"FileName":"a.jpg",\r\t\t\t'
        '"FilePath":"C:\\\\Users\\\\x\\\\a.jpg",\r\t\t\t"Created":"2020-05-06T07:08:09.1230000Z",'
        '\r\t\t\t"Unallocated":"true",\r\t\t\t"PhysicalLocation":123456789012}],'
        '"MediaMetadata":[{"MD5":"' + MD5_B + '","PropertyName":"Camera","PropertyValue":"X100"}],'
        '"Segments":[{"MD5":"'
        + MD5_B
        + '","SegmentIndex":0,"Start":"00:00:01","End":"00:00:05","Category":1}]'
        "\r\n\t\t}\t]\r\n\t}]\r\n\t}"
    ).encode("utf-8")

"""t_userlists_monthly.py DIR - write the user-list files of
t_userlists_monthly.sh into DIR: the tricky files (BOM, ';', quoted line
breaks, Windows-1252, a hand-made XLSX with shared strings and a date as
a number, a missing column, an unknown right value) and the seven lists of
2026-09, 2026-10 and 2026-11 whose figures the test checks by hand."""
import os
import sys
import zipfile

D = sys.argv[1]


def put(name, text, enc="utf-8", bom=False):
    data = text.encode(enc)
    if bom:
        data = b"\xef\xbb\xbf" + data
    with open(os.path.join(D, name), "wb") as f:
        f.write(data)


# --- tricky files --------------------------------------------------------
# BOM, ';' delimiter, a quoted field with a line break and a ';' inside.
put("collab_bom.csv",
    "Full name;Userid;Phone\r\n"
    "\"Dupont, Jean\";XXX.dupont;+32 2 1\r\n"
    "\"Smith,\nJohn; Jr\";txd.smith;\r\n"
    "Tool admin;admin;\r\n", bom=True)
# Windows-1252 names (é, ö, ß as single bytes), ',' delimiter.
put("smt_1252.csv",
    "Full name,E-mail address,Disabled\r\n"
    "\"Müller, Jürgen\",juergen@itsm.example,FALSE\r\n"
    "\"Lefèvre, Zoé\",zoe@ec.europa.eu,FALSE\r\n"
    "\"Weiß, Stefan\",stefan@itsm.example,TRUE\r\n", enc="cp1252")
# A missing required column (CS/RD PROD).
put("wp_missing.csv",
    "Full name;Organisation;CS/RD Domain;CS/RD TST;CS/MIS Domain;Deleted\n"
    "\"A, a\";BE;NCTS;Full;E;FALSE\n")
# An unknown right value on line 3.
put("wp_badright.csv",
    "Full name;Organisation;CS/RD Domain;CS/RD TST;CS/RD PROD;"
    "CS/MIS Domain;CS/MIS;Deleted\n"
    "\"A, a\";BE;NCTS;Full;Read;E;Admin;FALSE\n"
    "\"B, b\";BE;NCTS;Full;Wirte;E;Admin;FALSE\n"
    "\"C, c\";FR;ECS;Read;No;I;;FALSE\n")


def xlsx(name, sheet, rows, date_cells=()):
    """A workbook written by hand: shared strings for text, numbers as
    numbers, and the cells of DATE_CELLS (row, col) as numbers in date
    style 1 (numFmt 14)."""
    strings, index = [], {}
    xml_rows = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            ref = "%s%d" % (chr(ord("A") + c), r)
            if isinstance(v, (int, float)):
                s = ' s="1"' if (r, c) in date_cells else ""
                cells.append('<c r="%s"%s><v>%s</v></c>' % (ref, s, v))
            else:
                if v not in index:
                    index[v] = len(strings)
                    strings.append(v)
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, index[v]))
        xml_rows.append('<row r="%d">%s</row>' % (r, "".join(cells)))
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;")
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas'
           '.openxmlformats.org/spreadsheetml/2006/main" count="%d" '
           'uniqueCount="%d">%s</sst>' % (len(strings), len(strings), "".join(
               "<si><t>%s</t></si>" % esc(s) for s in strings)))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = ('xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
           'relationships"')
    with zipfile.ZipFile(os.path.join(D, name), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://'
                   'schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.'
                   'openxmlformats-package.relationships+xml"/><Default '
                   'Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/xl/workbook.xml" ContentType="application/vnd.'
                   'openxmlformats-officedocument.spreadsheetml.sheet.main+'
                   'xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships '
                   'xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="rId1" Type="http://'
                   'schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/officeDocument" Target="xl/workbook.xml"/>'
                   '</Relationships>')
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><workbook %s %s>'
                   '<sheets><sheet name="%s" sheetId="1" r:id="rId1"/>'
                   '</sheets></workbook>' % (ns, rns, sheet))
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships '
                   'xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="rId1" Type="http://'
                   'schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '<Relationship Id="rId2" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/'
                   'sharedStrings" Target="sharedStrings.xml"/>'
                   '<Relationship Id="rId3" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/'
                   'styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/styles.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><styleSheet %s>'
                   '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" '
                   'applyNumberFormat="1"/></cellXfs></styleSheet>' % ns)
        z.writestr("xl/sharedStrings.xml", sst)
        z.writestr("xl/worksheets/sheet1.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><worksheet %s>'
                   '<sheetData>%s</sheetData></worksheet>' % (ns, "".join(xml_rows)))


# Joiners/leavers of November as XLSX: shared strings (a name twice), the
# date of the change as a number in a date style (46326 = 2026-10-31).
xlsx("jl_2026-11.xlsx", "2026-11", [
    ["Full name", "Status", "Rights", "Date"],
    ["Dupont, Jean", "Created", "VPN, JIRA", 46326],
    ["Martin, Anne", "Disabled", "", 46327],
    ["Dupont, Jean", "Disabled", "", 46327],
], date_cells={(2, 3), (3, 3), (4, 3)})

# --- three months of lists ----------------------------------------------
WP_HEAD = ("Full name;Organisation;CS/RD Domain;CS/RD TST;CS/RD PROD;"
           "CS/MIS Domain;CS/MIS;Deleted\n")
WP = [
    "\"R1, a\";BE;NCTS;Full;Read;EIN;Admin;FALSE\n",
    "\"R2, b\";BE;EO;No;;;;FALSE\n",
    "\"R3, c\";FR;ECS;Write;No;N;;FALSE\n",
    "\"R4, d\";FR;;;;;;FALSE\n",
    "\"R5, e\";DE;ICS;Read;Write;I;ND User;FALSE\n",
]
WP_DELETED = "\"Gone, x\";FR;NCTS;Full;Full;B;Oper;TRUE\n"
SMT = [
    "\"A, a\",a@itsm.example,FALSE\n",
    "\"A, aa\",A@ITSM.example,FALSE\n",
    "\"B, b\",b@ec.europa.eu,FALSE\n",
    "\"C, c\",c@itsm.example,TRUE\n",
    "\"D, d\",d@itsm.example,FALSE\n",
    "\"E, e\",e@douane.be,FALSE\n",
]
MB = ["\"Dupont, Jean\";jd@itsmtaxud.example\n",
      "ITSM Service Desk;sd@itsmtaxud.example\n",
      "\"Martin, Anne\";am@itsmtaxud.example\n",
      "Security Team;sec@itsmtaxud.example\n"]
COLLAB_NOM = ["\"P1, a\";XXX.p1\n", "\"P2, b\";txd.p2\n", "\"P3, c\";lot.p3\n",
              "\"P4, d\";XXX.p4\n"]
COLLAB_NON = ["Tool admin;admin\n", "Backup;svc.backup\n"]

for m, month in enumerate(["2026-09", "2026-10", "2026-11"]):
    ncol = [3, 4, 4][m]
    nnon = [1, 1, 2][m]
    put("collab_%s.csv" % month, "Full name;Userid\n" +
        "".join(COLLAB_NOM[:ncol]) + "".join(COLLAB_NON[:nnon]))
    nvpn = [2, 2, 3][m]
    put("vpn_%s.csv" % month, "Full name;Active Y/N\n" +
        "".join("\"V%d, v\";Y\n" % i for i in range(nvpn)) + "\"Off, o\";N\n")
    put("jl_%s.csv" % month, "Full name;Status;Rights\n\"J, j\";Created;VPN\n")
    put("wp_%s.csv" % month, WP_HEAD + "".join(WP[:3 + m]) + WP_DELETED)
    put("smt_%s.csv" % month, "Full name,E-mail address,Disabled\n" +
        "".join(SMT[:4 + m]))
    apps = [[("AEO", 60), ("ART", 40)], [("AEO", 61), ("ART", 40)],
            [("AEO", 61), ("ART", 40), ("TARIC", 2)]][m]
    put("apps_%s.csv" % month, "Application;Users\n" +
        "".join("%s;%d\n" % a for a in apps))
    put("mb_%s.csv" % month, "Full name;E-mail address\n" +
        "".join(MB[:2 + m]))
# A wrong VPN list of November, replaced by a later import.
put("vpn_wrong.csv", "Full name;Active Y/N\n\"W, w\";Y\n" * 1 +
    "".join("\"X%d, x\";Y\n" % i for i in range(9)))

"""CSV bulk import in the console: a file of 200 teachers with 3 bad rows,
checked first (dry run: nothing created), then imported; exactly those 3
rows are reported, the other 197 are created, and the failed rows come back
as a CSV to fix and upload again."""

import os
import unittest
import uuid

from playwright.sync_api import expect

from console_system import SCREENSHOT_DIR, ConsoleTestCase
from emis_harness import unique_phone

HEADER = "fullName,phoneNumber,email,gender,dateOfBirth,hireDate"


class ConsoleImportTest(ConsoleTestCase):

    def make_csv(self, tag):
        """200 rows (file lines 2-201); lines 11, 51 and 151 are bad. Returns (bytes, bad lines)."""
        rows = []
        phones = []
        for i in range(200):
            phone = unique_phone()
            phones.append(phone)
            rows.append([f"Giáo Viên {tag} {i:03d}", phone, f"gv{i}.{tag}@example.edu.vn", "Female",
                         "1985-03-0" + str(1 + i % 9), "2024-09-05"])
        rows[9][1] = "0123456789"  # line 11: a retired number range
        rows[49][0] = ""  # line 51: no name
        rows[149][1] = phones[0]  # line 151: the phone of line 2
        rows[20][0] = f'"Trần, {tag} quoted"'  # a quoted cell with a comma is fine
        text = HEADER + "\r\n" + "\r\n".join(",".join(r) for r in rows) + "\r\n"
        return ("\ufeff" + text).encode("utf-8"), {11, 51, 151}

    def problem_lines(self, page):
        return sorted(int(t) for t in page.locator("#import-problems tr td:first-child").all_inner_texts())

    def test_import_200_rows_with_3_bad_ones(self):
        page = self.new_page()
        self.sign_in(page)
        tag = uuid.uuid4().hex[:8]
        data, bad_lines = self.make_csv(tag)
        page.get_by_role("button", name="Import CSV").click()
        page.get_by_label("CSV file").set_input_files(
            {"name": "teachers.csv", "mimeType": "text/csv", "buffer": data})

        page.get_by_role("button", name="Check file (dry run)").click()
        summary = page.locator("#import-summary")
        expect(summary).to_contain_text("Dry run: 200 rows, 197 would be created, 1 duplicate phone, 2 invalid",
                                        timeout=60_000)
        self.assertEqual(self.problem_lines(page), sorted(bad_lines))
        self.screenshot(page, "dry_run")
        # A dry run creates nothing.
        r = self.admin.get("/api/v1/teachers", query={"searchTerm": tag, "pageSize": 1})
        self.assertEqual(r.json["totalCount"], 0, r)

        page.get_by_role("button", name="Import", exact=True).click()
        expect(summary).to_contain_text("Import: 200 rows, 197 created, 1 duplicate phone, 2 invalid",
                                        timeout=120_000)
        self.assertEqual(self.problem_lines(page), sorted(bad_lines))
        reasons = page.locator("#import-problems tr td:nth-child(2)").all_inner_texts()
        self.assertEqual(sorted(reasons), ["duplicate phone", "invalid", "invalid"])
        self.screenshot(page, "imported")
        r = self.admin.get("/api/v1/teachers", query={"searchTerm": tag, "pageSize": 1})
        self.assertEqual(r.json["totalCount"], 197, r)

        with page.expect_download() as download:
            page.get_by_role("button", name="Download failed rows").click()
        path = os.path.join(SCREENSHOT_DIR, "teachers-failed-rows.csv")
        download.value.save_as(path)
        with open(path, encoding="utf-8-sig") as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], HEADER + ",error")
        self.assertEqual(len(lines), 4, lines)

    def test_a_file_with_the_wrong_header_is_refused_by_name(self):
        page = self.new_page()
        self.sign_in(page)
        page.get_by_role("button", name="Import CSV").click()
        page.get_by_label("CSV file").set_input_files(
            {"name": "bad.csv", "mimeType": "text/csv", "buffer": b"name,phone\nA,0912345678\n"})
        page.get_by_role("button", name="Check file (dry run)").click()
        expect(page.locator("#import-form [data-error-for=form]")).to_contain_text("Invalid header")
        self.screenshot(page, "wrong_header")

    def test_the_template_downloads(self):
        page = self.new_page()
        self.sign_in(page)
        page.get_by_role("button", name="Import CSV").click()
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the template").click()
        path = os.path.join(SCREENSHOT_DIR, "teachers-template.csv")
        download.value.save_as(path)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read().strip(), HEADER)


if __name__ == "__main__":
    unittest.main()

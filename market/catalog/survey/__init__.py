"""The county survey of stranded produce (measure 5.1): its file layout (`columns`), the rules of one row
(`checks`, shared by the survey form's operation and the file reader), the template offered for download
(`template`), reading a filled-in copy (`reading`; an XLSX through `market.spreadsheets`, with the limits and
messages of `xlsx`) and importing it, the whole file or nothing (`importing`)."""

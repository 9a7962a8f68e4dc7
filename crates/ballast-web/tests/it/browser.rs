//! Browser tests (headless Chromium through chromedriver).

terraform {
  required_providers {
    google = { source = "hashicorp/google", version = "5.40.0" }
  }
}

provider "google" {
  project = var.project_id
  region  = "europe-west4"
}

variable "project_id" {
  type = string
}

resource "google_compute_network" "vpc" {
  name = "ml-vpc"
}

resource "google_compute_subnetwork" "nodes" {
  name          = "ml-nodes"
  network       = google_compute_network.vpc.id
  ip_cidr_range = "10.20.0.0/20"
  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = "10.32.0.0/14"
  }
  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

resource "google_compute_router" "router" {
  name    = "ml-router"
  network = google_compute_network.vpc.name
}

resource "google_compute_router_nat" "nat" {
  name                               = "ml-nat"
  router                             = google_compute_router.router.name
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"
  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

resource "google_compute_firewall" "ssh" {
  name          = "allow-iap-ssh"
  network       = google_compute_network.vpc.self_link
  source_ranges = ["35.235.240.0/20"]
  target_tags   = ["ssh"]
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}

resource "google_artifact_registry_repository" "images" {
  repository_id = "images"
  location      = "europe-west4"
  format        = "DOCKER"
  docker_config {
    immutable_tags = true
  }
}

resource "google_service_account" "puller" {
  account_id = "image-puller"
}

resource "google_artifact_registry_repository_iam_member" "pull" {
  repository = google_artifact_registry_repository.images.name
  location   = google_artifact_registry_repository.images.location
  role       = "roles/artifactregistry.reader"
  member     = google_service_account.puller.member
}

resource "google_storage_bucket" "data" {
  name                        = "${var.project_id}-data"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = true
  }
  lifecycle_rule {
    action {
      type = "Delete"
    }
    condition {
      age = 30
    }
  }
  lifecycle {
    prevent_destroy = true
  }
}

data "google_iam_policy" "readers" {
  binding {
    role    = "roles/storage.objectViewer"
    members = ["serviceAccount:${google_service_account.puller.email}", "group:ml@example.com"]
  }
}

resource "google_storage_bucket_iam_policy" "data" {
  bucket      = google_storage_bucket.data.name
  policy_data = data.google_iam_policy.readers.policy_data
}

resource "google_project_iam_member" "conditional" {
  project = var.project_id
  role    = "roles/storage.admin"
  member  = "group:ml@example.com"
  condition {
    title      = "until-2027"
    expression = "request.time < timestamp(\"2027-01-01T00:00:00Z\")"
  }
}

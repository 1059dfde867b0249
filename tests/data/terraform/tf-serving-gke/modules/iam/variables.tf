variable "gcp_project_id" {
  type = string
  description = "GCP Project ID"
}

variable "gcp_user" {
  type = string
  description = "Your username for GCP"
}
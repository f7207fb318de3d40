//! Making sure an image is there: inspect, else pull with progress.

use bollard::query_parameters::CreateImageOptionsBuilder;
use bollard::Docker;
use futures_util::StreamExt;

use super::run::image_missing;
use crate::model::Problem;

/// Pull progress, as the daemon reports it ("Downloading", bytes done and total).
pub type PullProgress<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// The image's id when it is local; otherwise pulls it, reporting progress, or says how to get it.
pub async fn ensure_image(
    docker: &Docker,
    image: &str,
    progress: PullProgress<'_>,
) -> Result<String, Problem> {
    match docker.inspect_image(image).await {
        Ok(found) => return Ok(found.id.unwrap_or_else(|| image.to_string())),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => {}
        Err(error) => return Err(super::unreachable(&error)),
    }
    tracing::info!(image, "image not present; pulling");
    let (repository, tag) = match image.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (repository, tag),
        _ => (image, "latest"),
    };
    let options = CreateImageOptionsBuilder::new()
        .from_image(repository)
        .tag(tag)
        .build();
    let mut pull = docker.create_image(Some(options), None, None);
    while let Some(step) = pull.next().await {
        match step {
            Ok(info) => {
                if let Some(status) = info.status {
                    let bytes = info
                        .progress_detail
                        .and_then(|d| Some(format!(" {} of {} bytes", d.current?, d.total?)))
                        .unwrap_or_default();
                    progress(&format!("{image}: {status}{bytes}"));
                }
                if let Some(error) = info.error_detail.and_then(|d| d.message) {
                    return Err(image_missing(image, Some(&error)));
                }
            }
            Err(error) => return Err(image_missing(image, Some(&error.to_string()))),
        }
    }
    // A pull that "succeeded" without the image (an odd registry) is still a missing image.
    docker
        .inspect_image(image)
        .await
        .map(|found| found.id.unwrap_or_else(|| image.to_string()))
        .map_err(|_| image_missing(image, Some("the pull ended without the image")))
}
